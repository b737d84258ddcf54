import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Response } from 'supertest';
import { auth, createActiveMember, uniqueEmail } from '../support/fixtures.js';
import { expectError } from '../support/envelope.js';
import { expectOrgSlugError, GENEROUS_LIMITS } from '../support/invitations.js';
import { createTestApp, TestApp } from '../support/test-app.js';
import { snapshot } from './support/db-snapshot.js';
import { expectRouteError } from './support/errors.js';
import {
  NOT_FOUND_BY_PARAM,
  Operation,
  OPERATIONS,
  openApiOf,
  operationsOf,
  ORG_PARAMS,
  send,
} from './support/operations.js';
import { createTenant, freshMember, Tenant } from './support/tenants.js';

/**
 * Broken object-level authorization across tenants: the Owner of organization B, with full power
 * in B, uses every ID of organization A it can get hold of. Every attempt is a 404 (or a 400 for an
 * ID in a body), reveals nothing of A, and changes nothing.
 */
describe('BOLA across organizations', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let ops: Operation[];

  beforeAll(async () => {
    t = await createTestApp({ ...GENEROUS_LIMITS, RESEND_COOLDOWN_SECONDS: '0' });
    a = await createTenant(t, 'Acme Hidden Name');
    b = await createTenant(t, 'Bravo');
    ops = operationsOf(openApiOf(t));
  });
  afterAll(() => t.close());

  /** Nothing that identifies A's content (its name, people, invitee, resources) beyond what the request itself sent. */
  function expectNothingOfA(res: Response, sent: string[] = []): void {
    const text = JSON.stringify(res.body);
    for (const secret of [
      a.name,
      a.owner.email,
      a.admin.email,
      a.member.email,
      a.invitation.email,
      a.customRoleId,
      a.departmentId,
    ]) {
      if (!sent.includes(secret)) expect(text).not.toContain(secret);
    }
  }

  // Joining by domain is called by non-members by design (see joinOrganization in support/operations.ts).
  const orgScoped = () =>
    ops.filter((op) => op.pathParams.some((p) => ORG_PARAMS.includes(p)) && op.spec.level !== 'user');
  const resourceScoped = () => ops.filter((op) => op.pathParams.some((p) => NOT_FOUND_BY_PARAM[p]));

  it('covers every operation that a Member or Admin of an organization may call', () => {
    const orgLevel = Object.entries(OPERATIONS)
      .filter(([, spec]) => spec.level === 'member' || spec.level === 'admin')
      .map(([id]) => id);
    expect(
      orgScoped()
        .map((op) => op.id)
        .sort(),
    ).toEqual(orgLevel.sort());
    expect(resourceScoped().length).toBeGreaterThan(0);
  });

  it("answers 404 ORGANIZATION_NOT_FOUND to every organization-scoped operation on A's ID or slug, and changes nothing", async () => {
    for (const op of orgScoped()) {
      for (const orgRef of [
        { orgId: a.orgId, slug: a.slug },
        { orgId: a.slug, slug: a.slug },
      ]) {
        const input = await op.spec.valid({ t, org: a, caller: a.owner });
        const before = await snapshot(t.dataSource);
        const res = await send(t, op, { ...a, ...orgRef }, input, b.owner);
        try {
          expectRouteError(op.path, res, 404, 'ORGANIZATION_NOT_FOUND');
        } catch (error) {
          throw new Error(`${op.id} on ${orgRef.orgId}: ${(error as Error).message}`);
        }
        expectNothingOfA(res);
        expect(await snapshot(t.dataSource)).toEqual(before);
      }
    }
  });

  it("answers 404 ORGANIZATION_NOT_FOUND to A's deactivated Owner and to a pending invitee (as Owner) with a key, on every operation, and changes nothing", async () => {
    // An Owner of A who was deactivated: their key still works elsewhere, not in A.
    const deactivated = await createActiveMember(t, a.orgId, [a.roles.owner], uniqueEmail('former-owner'));
    const off = await t
      .http()
      .post(`/v1/organizations/${a.orgId}/users/${deactivated.userId}/deactivate`)
      .set(auth(a.owner));
    expect(off.status).toBe(200);
    // An active member of B, invited into A as Owner and not yet accepted.
    const invitee = await freshMember(t, b);
    const invited = await t
      .http()
      .post(`/v1/organizations/${a.orgId}/invitations`)
      .set(auth(a.owner))
      .send({ email: invitee.email, role_ids: [a.roles.owner], send_invitation: false });
    expect(invited.status).toBe(201);
    const states: { user_id: string; account_state: string }[] = await t.dataSource.query(
      'SELECT user_id, account_state FROM memberships WHERE organization_id = $1 AND user_id = ANY($2) ORDER BY account_state',
      [a.orgId, [deactivated.userId, invitee.userId]],
    );
    expect(states).toEqual([
      { user_id: deactivated.userId, account_state: 'deactivated' },
      { user_id: invitee.userId, account_state: 'pending_invitation' },
    ]);

    for (const [who, caller] of [
      ['deactivated Owner', deactivated],
      ['pending invitee', invitee],
    ] as const) {
      for (const op of orgScoped()) {
        for (const orgRef of [
          { orgId: a.orgId, slug: a.slug },
          { orgId: a.slug, slug: a.slug },
        ]) {
          const input = await op.spec.valid({ t, org: a, caller: a.owner });
          const before = await snapshot(t.dataSource);
          const res = await send(t, op, { ...a, ...orgRef }, input, caller);
          try {
            expectRouteError(op.path, res, 404, 'ORGANIZATION_NOT_FOUND');
          } catch (error) {
            throw new Error(`${op.id} on ${orgRef.orgId} as the ${who}: ${(error as Error).message}`);
          }
          expectNothingOfA(res, [caller.email]);
          expect(await snapshot(t.dataSource)).toEqual(before);
        }
      }
    }
  });

  it("answers 404 <RESOURCE>_NOT_FOUND when B's Owner puts A's resource IDs in B's paths, and changes nothing", async () => {
    for (const op of resourceScoped()) {
      const foreign = await op.spec.valid({ t, org: a, caller: a.owner });
      const own = await op.spec.valid({ t, org: b, caller: b.owner });
      const param = op.pathParams.find((p) => NOT_FOUND_BY_PARAM[p])!;
      const before = await snapshot(t.dataSource);
      const res = await send(
        t,
        op,
        b,
        { ...own, params: { ...own.params, [param]: foreign.params![param] } },
        b.owner,
      );
      try {
        expectError(res, 404, NOT_FOUND_BY_PARAM[param]);
      } catch (error) {
        throw new Error(`${op.id} with A's ${param}: ${(error as Error).message}`);
      }
      expectNothingOfA(res, [foreign.params![param]]);
      expect(await snapshot(t.dataSource)).toEqual(before);
    }
  });

  describe("A's IDs in B's bodies and queries", () => {
    const badBodies: [string, string, () => object][] = [
      [
        'createInvitation with A role',
        'invitations',
        () => ({ email: 'x1@bola.test', role_ids: [a.customRoleId], send_invitation: false }),
      ],
      [
        'createInvitation with A department',
        'invitations',
        () => ({ email: 'x2@bola.test', department_ids: [a.departmentId], send_invitation: false }),
      ],
      [
        'inviteUser with A role',
        'invite-user',
        () => ({ email: 'x3@bola.test', role_id: a.roles.admin, send_invitation: false }),
      ],
      [
        'inviteUserV2 with A role and department',
        'users/invite/v2',
        () => ({
          email: 'x4@bola.test',
          role_ids: [a.customRoleId],
          department_ids: [a.departmentId],
          send_invitation: false,
        }),
      ],
    ];

    it.each(badBodies)(
      '%s: 400 VALIDATION_ERROR naming the ID, nothing created',
      async (_name, path, body) => {
        const before = await snapshot(t.dataSource);
        const res = await t
          .http()
          .post(`/v1/organizations/${b.orgId}/${path}`)
          .set(auth(b.owner))
          .send(body());
        expectError(res, 400, 'VALIDATION_ERROR');
        const foreignIds = [a.customRoleId, a.departmentId, a.roles.admin].filter((id) =>
          JSON.stringify(body()).includes(id),
        );
        for (const id of foreignIds) expect(JSON.stringify(res.body.error.details)).toContain(id);
        expectNothingOfA(res, foreignIds);
        expect(await snapshot(t.dataSource)).toEqual(before);
      },
    );

    it("updateMemberships in B with A's role and department: 400, nothing changed", async () => {
      const target = await freshMember(t, b);
      const before = await snapshot(t.dataSource);
      const res = await t
        .http()
        .put(`/v1/organizations/${b.orgId}/users/${target.userId}/memberships`)
        .set(auth(b.owner))
        .send({ role_ids: [a.customRoleId], department_ids: [a.departmentId] });
      expectError(res, 400, 'VALIDATION_ERROR');
      expect(await snapshot(t.dataSource)).toEqual(before);
    });

    it("createOrgInvitation in B naming A's custom role: 422 in seed 002's envelope, nothing created", async () => {
      const [role] = await t.dataSource.query('SELECT name FROM roles WHERE id = $1', [a.customRoleId]);
      const before = await snapshot(t.dataSource);
      const res = await t
        .http()
        .post(`/api/v1/org/${b.slug}/invitations`)
        .set(auth(b.owner))
        .send({ email: 'x5@bola.test', role: role.name });
      expectOrgSlugError(res, 422, 'validation_error');
      expect(await snapshot(t.dataSource)).toEqual(before);
    });

    it("getPendingInvitation in B by A's invitation ID, user ID or email: 404 INVITATION_NOT_FOUND", async () => {
      for (const query of [
        { invitation_id: a.invitation.id },
        { user_id: a.invitation.userId },
        { email: a.invitation.email },
      ]) {
        const res = await t
          .http()
          .get(`/v1/organizations/${b.orgId}/invitation`)
          .query(query)
          .set(auth(b.owner));
        expectError(res, 404, 'INVITATION_NOT_FOUND');
        expectNothingOfA(res, Object.values(query));
      }
    });

    it("list filters in B with A's IDs and emails return nothing of A", async () => {
      for (const query of [
        { role_id: a.customRoleId },
        { department_id: a.departmentId },
        { email: a.member.email },
      ]) {
        const res = await t.http().get(`/v1/organizations/${b.orgId}/users`).query(query).set(auth(b.owner));
        expect(res.status).toBe(200);
        expect(res.body.data).toEqual([]);
      }
      const invitations = await t
        .http()
        .get(`/v1/organizations/${b.orgId}/invitations`)
        .query({ email: a.invitation.email })
        .set(auth(b.owner));
      expect(invitations.status).toBe(200);
      expect(invitations.body.data).toEqual([]);
    });
  });
});
