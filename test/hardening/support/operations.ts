import type { OpenAPIObject } from '@nestjs/swagger';
import type { Response } from 'supertest';
import { buildOpenApiDocument } from '../../../src/openapi/document.js';
import { Actor, auth, uniqueEmail } from '../../support/fixtures.js';
import { TestApp } from '../../support/test-app.js';
import {
  freshApiKeyId,
  freshDeactivatedMember,
  freshDepartment,
  freshDomain,
  freshEmailCode,
  freshInvitation,
  freshJoinableOrganization,
  freshVerifiedDomain,
  freshMember,
  freshRole,
  Tenant,
  unverifyEmail,
} from './tenants.js';

/** Who may call an operation, as API.md states it (not read from the code's @Access). */
export type Level = 'public' | 'user' | 'member' | 'admin';

export interface CallInput {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: Record<string, unknown>;
}

export interface CallContext {
  t: TestApp;
  org: Tenant;
  caller: Actor;
}

export interface OperationSpec {
  level: Level;
  /** A valid call in `org`; on fresh resources wherever the call changes or ends one, so it can be repeated. */
  valid: (c: CallContext) => Promise<CallInput> | CallInput;
}

let n = 0;
const unique = (prefix: string) => `${prefix} ${Date.now().toString(36)}${++n}`;

/** A webhook endpoint of `org` (its own `webhook_endpoint.created` delivery comes with it). */
async function freshWebhookEndpoint(t: TestApp, org: Tenant): Promise<string> {
  const res = await t
    .http()
    .post(`/v1/organizations/${org.orgId}/webhook-endpoints`)
    .set(auth(org.owner))
    .send({ url: 'https://hooks.example.com/' });
  if (res.status !== 201) throw new Error(`could not create a webhook endpoint: ${res.status}`);
  return res.body.id as string;
}

async function webhookEndpointWithDelivery(t: TestApp, org: Tenant): Promise<Record<string, string>> {
  const endpointId = await freshWebhookEndpoint(t, org);
  const [row]: { id: string }[] = await t.dataSource.query(
    'SELECT id FROM webhook_deliveries WHERE endpoint_id = $1',
    [endpointId],
  );
  return { endpoint_id: endpointId, delivery_id: row.id };
}

async function anEventId(t: TestApp, org: Tenant): Promise<string> {
  await freshWebhookEndpoint(t, org);
  const [row]: { id: string }[] = await t.dataSource.query(
    'SELECT id FROM events WHERE organization_id = $1 LIMIT 1',
    [org.orgId],
  );
  return row.id;
}

/**
 * Every operation of the API. A test fails when the OpenAPI document has an operation missing here
 * (or the reverse), so a new route cannot escape the authorization, BOLA and mass-assignment suites.
 */
export const OPERATIONS: Record<string, OperationSpec> = {
  getLiveness: { level: 'public', valid: () => ({}) },
  getReadiness: { level: 'public', valid: () => ({}) },
  getMe: { level: 'user', valid: () => ({}) },
  requestEmailVerification: {
    level: 'user',
    valid: async ({ t, caller }) => {
      await unverifyEmail(t, caller);
      return {};
    },
  },
  confirmEmailVerification: {
    level: 'user',
    valid: async ({ t, caller }) => ({ body: { code: await freshEmailCode(t, caller) } }),
  },
  listApiKeys: { level: 'user', valid: () => ({}) },
  createApiKey: { level: 'user', valid: () => ({ body: { name: 'laptop' } }) },
  revokeApiKey: {
    level: 'user',
    valid: async ({ t, caller }) => ({ params: { key_id: await freshApiKeyId(t, caller) } }),
  },
  listOrganizations: { level: 'user', valid: () => ({}) },
  createOrganization: { level: 'user', valid: () => ({ body: { name: unique('Org') } }) },

  getOrganization: { level: 'member', valid: () => ({}) },
  updateOrganization: { level: 'admin', valid: ({ org }) => ({ body: { name: org.name } }) },

  listRoles: { level: 'member', valid: () => ({}) },
  getRole: { level: 'member', valid: ({ org }) => ({ params: { role_id: org.customRoleId } }) },
  createRole: {
    level: 'admin',
    valid: () => ({ body: { name: unique('Role'), description: 'Reviews things.' } }),
  },
  updateRole: {
    level: 'admin',
    valid: ({ org }) => ({ params: { role_id: org.customRoleId }, body: { description: 'Updated.' } }),
  },
  deleteRole: {
    level: 'admin',
    valid: async ({ t, org }) => ({ params: { role_id: await freshRole(t, org) } }),
  },

  listDepartments: { level: 'member', valid: () => ({}) },
  getDepartment: { level: 'member', valid: ({ org }) => ({ params: { department_id: org.departmentId } }) },
  createDepartment: { level: 'admin', valid: () => ({ body: { name: unique('Dept') } }) },
  updateDepartment: {
    level: 'admin',
    valid: ({ org }) => ({ params: { department_id: org.departmentId }, body: { description: 'Updated.' } }),
  },
  deleteDepartment: {
    level: 'admin',
    valid: async ({ t, org }) => ({ params: { department_id: await freshDepartment(t, org) } }),
  },

  listEvents: { level: 'admin', valid: () => ({}) },
  getEvent: {
    level: 'admin',
    valid: async ({ t, org }) => ({ params: { event_id: await anEventId(t, org) } }),
  },
  listWebhookEndpoints: { level: 'admin', valid: () => ({}) },
  createWebhookEndpoint: { level: 'admin', valid: () => ({ body: { url: 'https://hooks.example.com/' } }) },
  getWebhookEndpoint: {
    level: 'admin',
    valid: async ({ t, org }) => ({ params: { endpoint_id: await freshWebhookEndpoint(t, org) } }),
  },
  updateWebhookEndpoint: {
    level: 'admin',
    valid: async ({ t, org }) => ({
      params: { endpoint_id: await freshWebhookEndpoint(t, org) },
      body: { description: 'Updated.' },
    }),
  },
  deleteWebhookEndpoint: {
    level: 'admin',
    valid: async ({ t, org }) => ({ params: { endpoint_id: await freshWebhookEndpoint(t, org) } }),
  },
  rotateWebhookEndpointSecret: {
    level: 'admin',
    valid: async ({ t, org }) => ({ params: { endpoint_id: await freshWebhookEndpoint(t, org) } }),
  },
  testWebhookEndpoint: {
    level: 'admin',
    valid: async ({ t, org }) => ({ params: { endpoint_id: await freshWebhookEndpoint(t, org) } }),
  },
  listWebhookDeliveries: {
    level: 'admin',
    valid: async ({ t, org }) => ({ params: { endpoint_id: await freshWebhookEndpoint(t, org) } }),
  },
  retryWebhookDelivery: {
    level: 'admin',
    valid: async ({ t, org }) => ({ params: await webhookEndpointWithDelivery(t, org) }),
  },

  listUsers: { level: 'member', valid: () => ({}) },
  getUser: { level: 'member', valid: ({ org }) => ({ params: { user_id: org.member.userId } }) },
  updateMemberships: {
    level: 'admin',
    valid: async ({ t, org }) => ({
      params: { user_id: (await freshMember(t, org)).userId },
      body: { role_ids: [org.roles.member, org.customRoleId], department_ids: [org.departmentId] },
    }),
  },
  deactivateUser: {
    level: 'admin',
    valid: async ({ t, org }) => ({ params: { user_id: (await freshMember(t, org)).userId } }),
  },
  reactivateUser: {
    level: 'admin',
    valid: async ({ t, org }) => ({ params: { user_id: (await freshDeactivatedMember(t, org)).userId } }),
  },
  removeUser: {
    level: 'admin',
    valid: async ({ t, org }) => ({ params: { user_id: (await freshMember(t, org)).userId } }),
  },

  listInvitations: { level: 'member', valid: () => ({}) },
  getInvitation: { level: 'member', valid: ({ org }) => ({ params: { invitation_id: org.invitation.id } }) },
  getPendingInvitation: {
    level: 'member',
    valid: ({ org }) => ({ query: { invitation_id: org.invitation.id } }),
  },
  createInvitation: {
    level: 'admin',
    valid: () => ({ body: { email: uniqueEmail('inv'), send_invitation: false } }),
  },
  createInvitationsBulk: {
    level: 'admin',
    valid: () => ({
      body: {
        invitations: [{ email: uniqueEmail('bulk') }, { email: uniqueEmail('bulk') }],
        send_invitation: false,
      },
    }),
  },
  inviteUser: {
    level: 'admin',
    valid: ({ org }) => ({
      body: { email: uniqueEmail('inv'), role_id: org.roles.member, send_invitation: false },
    }),
  },
  inviteUserV2: {
    level: 'admin',
    valid: ({ org }) => ({
      body: {
        email: uniqueEmail('inv'),
        full_name: 'Jane Doe',
        role_ids: [org.customRoleId],
        send_invitation: false,
      },
    }),
  },
  createOrgInvitation: {
    level: 'admin',
    valid: () => ({ body: { email: uniqueEmail('inv'), role: 'member', send_invitation: false } }),
  },
  resendInvitation: {
    level: 'admin',
    valid: async ({ t, org }) => ({ params: { invitation_id: (await freshInvitation(t, org)).id } }),
  },
  revokeInvitation: {
    level: 'admin',
    valid: async ({ t, org }) => ({ params: { invitation_id: (await freshInvitation(t, org)).id } }),
  },

  createDomain: {
    level: 'admin',
    valid: () => ({ body: { domain: `${unique('new').replace(/\W+/g, '-')}.test` } }),
  },
  listDomains: { level: 'admin', valid: () => ({}) },
  getDomain: { level: 'admin', valid: ({ org }) => ({ params: { domain_id: org.domainId } }) },
  deleteDomain: {
    level: 'admin',
    valid: async ({ t, org }) => ({ params: { domain_id: await freshDomain(t, org) } }),
  },
  verifyDomain: {
    level: 'admin',
    valid: async ({ t, org }) => ({ params: { domain_id: await freshVerifiedDomain(t, org) } }),
  },
  listOrganizationSuggestions: { level: 'user', valid: () => ({}) },
  // The one organization path a non-member calls: its tenant rule (403 JOIN_NOT_ALLOWED, the same as
  // for a missing organization) is tested in test/domain-join.e2e-spec.ts, not by the BOLA suite.
  joinOrganization: {
    level: 'user',
    valid: async ({ t, caller }) => ({
      params: { organization_id: await freshJoinableOrganization(t, caller) },
    }),
  },

  lookupInvitation: {
    level: 'public',
    valid: async ({ t, org }) => ({ query: { token: (await freshInvitation(t, org)).token } }),
  },
  acceptInvitation: {
    level: 'public',
    valid: async ({ t, org }) => ({
      body: { token: (await freshInvitation(t, org)).token, full_name: 'New Person' },
    }),
  },
  declineInvitation: {
    level: 'public',
    valid: async ({ t, org }) => ({ body: { token: (await freshInvitation(t, org)).token } }),
  },
};

/** The error code a foreign or unknown resource ID in this path parameter gets. */
export const NOT_FOUND_BY_PARAM: Record<string, string> = {
  role_id: 'ROLE_NOT_FOUND',
  department_id: 'DEPARTMENT_NOT_FOUND',
  user_id: 'USER_NOT_FOUND',
  invitation_id: 'INVITATION_NOT_FOUND',
  key_id: 'API_KEY_NOT_FOUND',
  domain_id: 'DOMAIN_NOT_FOUND',
};

export const ORG_PARAMS = ['organization_id', 'slug'];

export interface Operation {
  id: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  pathParams: string[];
  /** The JSON schema of the request body (dereferenced one level), if the operation takes one. */
  bodySchema?: { properties?: Record<string, unknown>; required?: string[] };
  responses: Record<string, unknown>;
  spec: OperationSpec;
}

/** The app's operations, from its own OpenAPI document, joined with the table above. */
export function operationsOf(doc: OpenAPIObject): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const op = item[method];
      if (!op) continue;
      const ref = (op.requestBody as { content?: Record<string, { schema?: { $ref?: string } }> } | undefined)
        ?.content?.['application/json']?.schema?.$ref;
      out.push({
        id: op.operationId!,
        method,
        path,
        pathParams: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]),
        bodySchema: ref
          ? (doc.components!.schemas![ref.split('/').pop()!] as Operation['bodySchema'])
          : undefined,
        responses: op.responses,
        spec: OPERATIONS[op.operationId!],
      });
    }
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

export function openApiOf(t: TestApp): OpenAPIObject {
  return buildOpenApiDocument(t.app);
}

/** The concrete URL of a call: org parameters default to `org`, the rest come from the input. */
export function urlOf(op: Operation, org: Tenant, input: CallInput): string {
  const params: Record<string, string> = { organization_id: org.orgId, slug: org.slug, ...input.params };
  return op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (params[name] === undefined) throw new Error(`${op.id}: no value for path parameter ${name}`);
    return encodeURIComponent(params[name]);
  });
}

/** Sends the call as `actor` (or without credentials). */
export function send(
  t: TestApp,
  op: Operation,
  org: Tenant,
  input: CallInput,
  actor?: Actor,
): Promise<Response> {
  let req = t.http()[op.method](urlOf(op, org, input));
  if (actor) req = req.set(auth(actor));
  if (input.query) req = req.query(input.query);
  return input.body === undefined ? req : req.send(input.body);
}
