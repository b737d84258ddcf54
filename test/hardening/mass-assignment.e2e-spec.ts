import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GENEROUS_LIMITS } from '../support/invitations.js';
import { createTestApp, TestApp } from '../support/test-app.js';
import { snapshot } from './support/db-snapshot.js';
import { expectRouteError } from './support/errors.js';
import { Operation, openApiOf, operationsOf, send } from './support/operations.js';
import { createTenant, Tenant } from './support/tenants.js';

/**
 * Server-owned fields an attacker would like to set, with values that would hurt: another
 * tenant's ID, the system flag, a state that skips the invitation, a status that skips acceptance.
 */
const SERVER_OWNED = (b: Tenant): Record<string, unknown> => ({
  id: 'org_attacker',
  organization_id: b.orgId,
  is_system: true,
  account_state: 'active',
  status: 'accepted',
  email_status: 'sent',
  user_id: b.owner.userId,
  invited_by: b.owner.userId,
  created_at: '2000-01-01T00:00:00Z',
  key: 'owner',
});

/** Mass assignment: every body-taking operation refuses every field it does not declare. */
describe('mass assignment', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let ops: Operation[];

  beforeAll(async () => {
    t = await createTestApp({ ...GENEROUS_LIMITS, RESEND_COOLDOWN_SECONDS: '0' });
    a = await createTenant(t, 'Acme');
    b = await createTenant(t, 'Bravo');
    ops = operationsOf(openApiOf(t)).filter((op) => op.bodySchema);
  });
  afterAll(() => t.close());

  /** What a client may send, per operation, as API.md documents each body (not read from the DTOs). */
  const CLIENT_FIELDS: Record<string, string[]> = {
    acceptInvitation: ['token', 'full_name', 'email_code'],
    confirmEmailVerification: ['code'],
    createApiKey: ['name'],
    createDepartment: ['name', 'description'],
    createDomain: ['domain'],
    createInvitation: [
      'email',
      'full_name',
      'role_ids',
      'department_ids',
      'custom_message',
      'expires_in_days',
      'send_invitation',
    ],
    createInvitationsBulk: ['invitations', 'defaults', 'send_invitation'],
    createOrgInvitation: ['email', 'role', 'send_invitation'],
    createOrganization: ['name', 'slug'],
    createRole: ['name', 'description'],
    createWebhookEndpoint: ['url', 'event_types', 'description', 'enabled'],
    declineInvitation: ['token'],
    inviteUser: ['email', 'role_id', 'send_invitation'],
    inviteUserV2: ['email', 'full_name', 'role_ids', 'department_ids', 'custom_message', 'send_invitation'],
    updateDepartment: ['name', 'description'],
    updateMemberships: ['role_ids', 'department_ids'],
    updateOrganization: ['name', 'slug', 'invite_policy', 'auto_join'],
    updateRole: ['name', 'description'],
    updateWebhookEndpoint: ['url', 'event_types', 'description', 'enabled'],
  };

  /** Every property any success response of the document shows, at any depth: what the server owns or echoes. */
  function responseFields(): string[] {
    const doc = openApiOf(t);
    const fields = new Set<string>();
    const seen = new Set<unknown>();
    const walk = (schema: unknown): void => {
      if (!schema || typeof schema !== 'object' || seen.has(schema)) return;
      seen.add(schema);
      const node = schema as Record<string, unknown>;
      if (typeof node.$ref === 'string') walk(doc.components!.schemas![node.$ref.split('/').pop()!]);
      for (const key of ['allOf', 'anyOf', 'oneOf'] as const)
        for (const member of (node[key] as unknown[] | undefined) ?? []) walk(member);
      walk(node.items);
      for (const [name, property] of Object.entries((node.properties as Record<string, unknown>) ?? {})) {
        fields.add(name);
        walk(property);
      }
    };
    for (const item of Object.values(doc.paths))
      for (const op of Object.values(item) as {
        responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
      }[])
        for (const [status, response] of Object.entries(op.responses ?? {}))
          if (status.startsWith('2')) walk(response.content?.['application/json']?.schema);
    return [...fields].sort();
  }

  it('covers every operation with a request body, each declaring exactly the fields a client may send', () => {
    // A new body-taking route, or a new field in a request DTO, shows up here, so it is checked on purpose.
    expect(ops.map((op) => op.id).sort()).toEqual(Object.keys(CLIENT_FIELDS).sort());
    for (const op of ops) {
      expect({ op: op.id, fields: Object.keys(op.bodySchema!.properties ?? {}).sort() }).toEqual({
        op: op.id,
        fields: [...CLIENT_FIELDS[op.id]].sort(),
      });
    }
  });

  it('answers 400 extra_forbidden (422 on seed 002) to every field a response shows that the body may not set, and changes nothing', async () => {
    const shown = responseFields();
    // The list is derived, so make sure it holds what matters.
    expect(shown).toEqual(expect.arrayContaining(Object.keys(SERVER_OWNED(b))));
    for (const op of ops) {
      const forbidden = shown.filter((field) => !CLIENT_FIELDS[op.id].includes(field));
      const caller = op.spec.level === 'public' ? undefined : a.owner;
      const input = await op.spec.valid({ t, org: a, caller: a.owner });
      const extra = Object.fromEntries(forbidden.map((field) => [field, SERVER_OWNED(b)[field] ?? 'x']));
      const before = await snapshot(t.dataSource);
      const res = await send(t, op, a, { ...input, body: { ...input.body, ...extra } }, caller);
      try {
        expectRouteError(op.path, res, 400, 'VALIDATION_ERROR');
        const errors = (op.path.startsWith('/api/') ? res.body.errors : res.body.error.details.errors) as {
          loc: string[];
          type: string;
        }[];
        expect(errors.map((e) => `${e.loc.join('.')} ${e.type}`).sort()).toEqual(
          forbidden.map((field) => `body.${field} extra_forbidden`).sort(),
        );
      } catch (error) {
        throw new Error(`${op.id}: ${(error as Error).message}`);
      }
      expect(await snapshot(t.dataSource)).toEqual(before);
    }
  });

  it('answers 400 extra_forbidden (422 on seed 002) for each harmful server-owned field alone, and changes nothing', async () => {
    for (const op of ops) {
      const caller = op.spec.level === 'public' ? undefined : a.owner;
      for (const [field, value] of Object.entries(SERVER_OWNED(b))) {
        const input = await op.spec.valid({ t, org: a, caller: a.owner });
        const before = await snapshot(t.dataSource);
        const res = await send(t, op, a, { ...input, body: { ...input.body, [field]: value } }, caller);
        try {
          expectRouteError(op.path, res, 400, 'VALIDATION_ERROR');
          const errors = (op.path.startsWith('/api/') ? res.body.errors : res.body.error.details.errors) as {
            loc: string[];
            type: string;
          }[];
          expect(errors).toEqual([
            { loc: ['body', field], msg: expect.any(String), type: 'extra_forbidden' },
          ]);
        } catch (error) {
          throw new Error(`${op.id} with ${field}: ${(error as Error).message}`);
        }
        expect(await snapshot(t.dataSource)).toEqual(before);
      }
    }
  });
});
