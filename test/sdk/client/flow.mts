// A client of the API as an SDK user writes it: types generated from openapi.json by
// openapi-typescript (./schema.d.ts, made by test/sdk/sdk-flow.e2e-spec.ts), calls through
// openapi-fetch, compiled with `tsc --strict`. No hand-written API types and no casts: if the
// document is wrong about a path, a parameter or a field, this file does not compile or the run fails.
// Usage: BASE_URL=http://127.0.0.1:3000 API_KEY=oik_… node flow.mjs  → one JSON line per step.
import createClient from 'openapi-fetch';
import type { paths } from './schema.js';

const baseUrl = required('BASE_URL');
const owner = createClient<paths>({ baseUrl, headers: { 'X-API-Key': required('API_KEY') } });
const anonymous = createClient<paths>({ baseUrl });

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`check failed: ${what}`);
}

/** The data of a successful call, or an error naming the step, the status and the error body. */
function ok<D, E>(step: string, result: { data?: D; error?: E; response: Response }): D {
  if (result.data === undefined || !result.response.ok) {
    throw new Error(`${step}: HTTP ${result.response.status} ${JSON.stringify(result.error)}`);
  }
  report(step, result.response.status);
  return result.data;
}

/** For 204 responses, which carry no data. */
function noContent(step: string, result: { response: Response }): void {
  if (result.response.status !== 204) throw new Error(`${step}: expected 204, got ${result.response.status}`);
  report(step, 204);
}

function report(step: string, status: number, extra: Record<string, string> = {}): void {
  process.stdout.write(JSON.stringify({ step, status, ...extra }) + '\n');
}

async function main(): Promise<void> {
  const suffix = Date.now().toString(36);

  const org = ok(
    'createOrganization',
    await owner.POST('/v1/organizations', { body: { name: `SDK Corp ${suffix}` } }),
  );
  const org_id = org.id;
  const inOrg = { path: { organization_id: org_id } };

  const role = ok(
    'createRole',
    await owner.POST('/v1/organizations/{organization_id}/roles', {
      params: inOrg,
      body: { name: 'Reviewer', description: 'Reviews pull requests' },
    }),
  );
  const department = ok(
    'createDepartment',
    await owner.POST('/v1/organizations/{organization_id}/departments', {
      params: inOrg,
      body: { name: 'Engineering' },
    }),
  );

  // Bulk, both media types the document lists: JSON rows with defaults, and a CSV as a spreadsheet exports it.
  const bulkPath = '/v1/organizations/{organization_id}/invitations/bulk';
  const fromJson = ok(
    'createInvitationsBulk',
    await owner.POST(bulkPath, {
      params: inOrg,
      body: {
        invitations: [{ email: `sdk-bulk-a-${suffix}@example.test`, role_ids: [role.id] }],
        defaults: { department_ids: [department.id] },
        send_invitation: false,
      },
    }),
  );
  check(fromJson.created === 1 && fromJson.results[0]?.invitation?.role_ids[0] === role.id, 'bulk JSON row');
  const fromCsv = ok(
    'createInvitationsBulk (CSV)',
    await owner.POST(bulkPath, {
      params: { ...inOrg, query: { send_invitation: 'false' } },
      body: `email,full_name,roles,departments\r\nsdk-bulk-b-${suffix}@example.test,"Doe, Jim",reviewer,Engineering\r\n`,
      headers: { 'Content-Type': 'text/csv' },
      bodySerializer: (body) => (typeof body === 'string' ? body : JSON.stringify(body)),
    }),
  );
  check(
    fromCsv.created === 1 && fromCsv.results[0]?.invitation?.department_ids[0] === department.id,
    'bulk CSV row',
  );

  const email = `sdk-${suffix}@example.test`;
  const invited = ok(
    'inviteUserV2',
    await owner.POST('/v1/organizations/{organization_id}/users/invite/v2', {
      params: inOrg,
      body: {
        email,
        full_name: 'Jane Doe',
        role_ids: [role.id],
        department_ids: [department.id],
        send_invitation: false,
      },
    }),
  );
  check(invited.account_state === 'pending_invitation', 'the invitee is pending');
  check(invited.invitation_link !== null, 'send_invitation=false returns the link to share by hand');

  const pending = ok(
    'getPendingInvitation',
    await owner.GET('/v1/organizations/{organization_id}/invitation', {
      params: { ...inOrg, query: { email } },
    }),
  );
  check(pending.user_id === invited.id && pending.role_id === role.id, 'seed 003 shows the invitee and role');
  // The Owner may create this invitation, so seed 003 shows them its link (a Member would get null).
  if (!pending.invitation_link) throw new Error('the Owner is shown no invitation link');
  const token = new URL(pending.invitation_link).searchParams.get('invite');
  if (!token) throw new Error('the invitation link carries no token');

  const lookup = ok(
    'lookupInvitation',
    await anonymous.GET('/v1/invitations/lookup', { params: { query: { token } } }),
  );
  check(
    lookup.status === 'pending' && lookup.organization.id === org_id,
    'lookup shows the pending invitation',
  );
  check(
    lookup.roles.some((r) => r.id === role.id),
    'lookup lists the role',
  );

  const accepted = ok(
    'acceptInvitation',
    await anonymous.POST('/v1/invitations/accept', { body: { token, full_name: 'Jane Doe' } }),
  );
  check(accepted.user.id === invited.id && accepted.organization_id === org_id, 'the invitee joined');
  if (accepted.api_key === null) throw new Error('a new account gets its API key');
  const jane = createClient<paths>({ baseUrl, headers: { 'X-API-Key': accepted.api_key } });
  const me = ok('getMe (as the invitee)', await jane.GET('/v1/me'));
  check(
    me.memberships.some((m) => m.organization_id === org_id && m.account_state === 'active'),
    'the invitee is an active member',
  );

  const members = ok(
    'listUsers',
    await owner.GET('/v1/organizations/{organization_id}/users', {
      params: { ...inOrg, query: { account_state: 'active', limit: 100 } },
    }),
  );
  check(
    members.data.some((m) => m.id === invited.id),
    'the list shows the new member',
  );

  const roles = ok(
    'listRoles',
    await owner.GET('/v1/organizations/{organization_id}/roles', {
      params: { ...inOrg, query: { limit: 100 } },
    }),
  );
  const admin = roles.data.find((r) => r.key === 'admin');
  if (!admin) throw new Error('the Admin system role exists');
  const inUser = { path: { organization_id: org_id, user_id: invited.id } };
  const updated = ok(
    'updateMemberships',
    await owner.PUT('/v1/organizations/{organization_id}/users/{user_id}/memberships', {
      params: inUser,
      body: { role_ids: [admin.id, role.id], department_ids: [] },
    }),
  );
  check(
    updated.role_ids.includes(admin.id) && updated.department_ids.length === 0,
    'memberships were replaced',
  );

  const deactivated = ok(
    'deactivateUser',
    await owner.POST('/v1/organizations/{organization_id}/users/{user_id}/deactivate', { params: inUser }),
  );
  check(deactivated.account_state === 'deactivated' && deactivated.deactivated_at !== null, 'deactivated');
  const reactivated = ok(
    'reactivateUser',
    await owner.POST('/v1/organizations/{organization_id}/users/{user_id}/reactivate', { params: inUser }),
  );
  check(reactivated.account_state === 'active', 'reactivated');
  noContent(
    'removeUser',
    await owner.DELETE('/v1/organizations/{organization_id}/users/{user_id}', { params: inUser }),
  );

  // A typed error envelope: the same department name twice is a 409.
  const conflict = await owner.POST('/v1/organizations/{organization_id}/departments', {
    params: inOrg,
    body: { name: 'Engineering' },
  });
  if (!conflict.error)
    throw new Error(`a duplicate department name must fail, got ${conflict.response.status}`);
  const error = conflict.error.error;
  check(error.status === 409 && error.type === 'client_error', 'the envelope carries the status and type');
  check(
    error.trace_id === conflict.response.headers.get('X-Request-Id'),
    'trace_id is the X-Request-Id header',
  );
  report('createDepartment (duplicate)', conflict.response.status, { code: error.code });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
