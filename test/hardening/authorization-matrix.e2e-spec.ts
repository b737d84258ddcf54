import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { auth } from '../support/fixtures.js';
import { GENEROUS_LIMITS } from '../support/invitations.js';
import { createTestApp, TestApp } from '../support/test-app.js';
import { snapshot } from './support/db-snapshot.js';
import { expectRouteError, expectSuccess } from './support/errors.js';
import { Level, Operation, OPERATIONS, openApiOf, operationsOf, send } from './support/operations.js';
import { createTenant, freshMember, Tenant } from './support/tenants.js';

const ROLES = ['member', 'admin', 'owner'] as const;
type Role = (typeof ROLES)[number];
const ROLE_RANK: Record<Role, number> = { member: 1, admin: 2, owner: 3 };
const LEVEL_RANK: Record<Level, number> = { public: 0, user: 0, member: 1, admin: 2 };

/**
 * Function-level authorization: every operation × Member/Admin/Owner, expected outcome from the
 * table in support/operations.ts (API.md's rules), not from the code under test.
 */
describe('function-level authorization matrix', () => {
  let t: TestApp;
  let a: Tenant;
  let ops: Map<string, Operation>;

  beforeAll(async () => {
    t = await createTestApp({ ...GENEROUS_LIMITS, RESEND_COOLDOWN_SECONDS: '0' });
    a = await createTenant(t, 'Acme');
    ops = new Map(operationsOf(openApiOf(t)).map((op) => [op.id, op]));
  });
  afterAll(() => t.close());

  it('has an expected access level for every operation in the OpenAPI document, and no stale ones', () => {
    expect([...ops.values()].filter((op) => !op.spec).map((op) => op.id)).toEqual([]);
    expect(Object.keys(OPERATIONS).filter((id) => !ops.has(id))).toEqual([]);
  });

  const matrix = Object.entries(OPERATIONS)
    .filter(([, spec]) => spec.level !== 'public')
    .flatMap(([id, spec]) =>
      ROLES.map((role) => [id, role, ROLE_RANK[role] >= LEVEL_RANK[spec.level] ? 'allow' : 'deny'] as const),
    );

  it.each(matrix)('%s as %s: %s', async (id, role, expected) => {
    const op = ops.get(id)!;
    const caller = a[role];
    const input = await op.spec.valid({ t, org: a, caller });
    if (expected === 'allow') {
      expectSuccess(`${id} as ${role}`, await send(t, op, a, input, caller));
      return;
    }
    const before = await snapshot(t.dataSource);
    expectRouteError(op.path, await send(t, op, a, input, caller), 403, 'INSUFFICIENT_PERMISSIONS');
    expect(await snapshot(t.dataSource)).toEqual(before);
  });

  const needCredentials = Object.entries(OPERATIONS)
    .filter(([, spec]) => spec.level !== 'public')
    .map(([id]) => id);

  it.each(needCredentials)(
    '%s without credentials: 401 AUTHENTICATION_REQUIRED, nothing changed',
    async (id) => {
      const op = ops.get(id)!;
      const input = await op.spec.valid({ t, org: a, caller: a.owner });
      const before = await snapshot(t.dataSource);
      expectRouteError(op.path, await send(t, op, a, input), 401, 'AUTHENTICATION_REQUIRED');
      expect(await snapshot(t.dataSource)).toEqual(before);
    },
  );

  const publicOps = Object.entries(OPERATIONS)
    .filter(([, spec]) => spec.level === 'public')
    .map(([id]) => id);

  it.each(publicOps)('%s needs no credentials', async (id) => {
    const op = ops.get(id)!;
    expectSuccess(id, await send(t, op, a, await op.spec.valid({ t, org: a, caller: a.owner })));
  });

  describe('only an Owner may grant the Owner role or change another Owner', () => {
    /** A second Owner, so that changing one is never refused as LAST_OWNER. */
    async function secondOwner() {
      const actor = await freshMember(t, a);
      const res = await t
        .http()
        .put(`/v1/organizations/${a.orgId}/users/${actor.userId}/memberships`)
        .set(auth(a.owner))
        .send({ role_ids: [a.roles.owner], department_ids: [] });
      expect(res.status).toBe(200);
      return actor;
    }

    const cases: [
      string,
      () => Promise<{ method: 'post' | 'put' | 'delete'; path: string; body?: object }>,
    ][] = [
      [
        'createInvitation with the Owner role',
        async () => ({
          method: 'post',
          path: `/v1/organizations/${a.orgId}/invitations`,
          body: { email: `o${Date.now()}@x.test`, role_ids: [a.roles.owner], send_invitation: false },
        }),
      ],
      [
        'inviteUser with the Owner role',
        async () => ({
          method: 'post',
          path: `/v1/organizations/${a.orgId}/invite-user`,
          body: { email: `o${Date.now()}@x.test`, role_id: a.roles.owner, send_invitation: false },
        }),
      ],
      [
        'inviteUserV2 with the Owner role',
        async () => ({
          method: 'post',
          path: `/v1/organizations/${a.orgId}/users/invite/v2`,
          body: { email: `o${Date.now()}@x.test`, role_ids: [a.roles.owner], send_invitation: false },
        }),
      ],
      [
        'createOrgInvitation with role "owner"',
        async () => ({
          method: 'post',
          path: `/api/v1/org/${a.slug}/invitations`,
          body: { email: `o${Date.now()}@x.test`, role: 'owner', send_invitation: false },
        }),
      ],
      [
        'updateMemberships granting the Owner role',
        async () => ({
          method: 'put',
          path: `/v1/organizations/${a.orgId}/users/${(await freshMember(t, a)).userId}/memberships`,
          body: { role_ids: [a.roles.owner], department_ids: [] },
        }),
      ],
      [
        'updateMemberships demoting an Owner',
        async () => ({
          method: 'put',
          path: `/v1/organizations/${a.orgId}/users/${(await secondOwner()).userId}/memberships`,
          body: { role_ids: [a.roles.member], department_ids: [] },
        }),
      ],
      [
        'deactivateUser on an Owner',
        async () => ({
          method: 'post',
          path: `/v1/organizations/${a.orgId}/users/${(await secondOwner()).userId}/deactivate`,
        }),
      ],
      [
        'removeUser on an Owner',
        async () => ({
          method: 'delete',
          path: `/v1/organizations/${a.orgId}/users/${(await secondOwner()).userId}`,
        }),
      ],
    ];

    it.each(cases)('%s: Admin 403, Owner allowed', async (_name, build) => {
      const denied = await build();
      const before = await snapshot(t.dataSource);
      const res = await t.http()[denied.method](denied.path).set(auth(a.admin)).send(denied.body);
      expectRouteError(denied.path, res, 403, 'INSUFFICIENT_PERMISSIONS');
      expect(await snapshot(t.dataSource)).toEqual(before);

      const allowed = await build();
      expectSuccess(
        'as owner',
        await t.http()[allowed.method](allowed.path).set(auth(a.owner)).send(allowed.body),
      );
    });
  });
});
