import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Response } from 'supertest';
import {
  Actor,
  auth,
  createActiveMember,
  createOrganizationWithOwner,
  systemRoles,
  uniqueEmail,
} from './support/fixtures.js';
import { expectError } from './support/envelope.js';
import { createTestApp, TestApp } from './support/test-app.js';

/** The Owner rules: who may touch the Owner role, and that an organization always keeps an active Owner. */
describe('members: Owner rules and the last active Owner', () => {
  let t: TestApp;
  let orgCount = 0;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  /** A fresh organization per test, so each starts from a known set of Owners. */
  async function orgWith(extraOwners: number) {
    const { orgId, owner } = await createOrganizationWithOwner(t, `Owners ${++orgCount}`);
    const roles = await systemRoles(t, orgId);
    const owners = [owner];
    for (let i = 0; i < extraOwners; i++)
      owners.push(await createActiveMember(t, orgId, [roles.owner], uniqueEmail('owner')));
    const admin = await createActiveMember(t, orgId, [roles.admin], uniqueEmail('admin'));
    const url = (userId: string, suffix = '') => `/v1/organizations/${orgId}/users/${userId}${suffix}`;
    const activeOwners = async (): Promise<string[]> =>
      (
        (await t.dataSource.query(
          `SELECT m.user_id FROM memberships m JOIN membership_roles mr ON mr.membership_id = m.id
            WHERE m.organization_id = $1 AND m.account_state = 'active' AND mr.role_id = $2 ORDER BY m.user_id`,
          [orgId, roles.owner],
        )) as { user_id: string }[]
      ).map((r) => r.user_id);
    const demote = (actor: Actor, target: Actor, roleIds = [roles.admin]) =>
      t
        .http()
        .put(url(target.userId, '/memberships'))
        .set(auth(actor))
        .send({ role_ids: roleIds, department_ids: [] });
    return { orgId, roles, owners, admin, url, activeOwners, demote };
  }

  describe('only an Owner may touch the Owner role or an Owner', () => {
    it('returns 403 when an Admin grants the Owner role; an Owner may', async () => {
      const o = await orgWith(0);
      const target = await createActiveMember(t, o.orgId, [o.roles.member]);
      const denied = await o.demote(o.admin, target, [o.roles.member, o.roles.owner]);
      const error = expectError(denied, 403, 'INSUFFICIENT_PERMISSIONS');
      expect(error.message).toContain('Only an Owner');
      expect(error.details).toEqual({ user_id: target.userId });
      expect(await o.activeOwners()).toEqual([o.owners[0].userId]);

      const granted = await o.demote(o.owners[0], target, [o.roles.owner]);
      expect(granted.status).toBe(200);
      expect(granted.body.role_ids).toEqual([o.roles.owner]);
      expect(await o.activeOwners()).toEqual([o.owners[0].userId, target.userId].sort());
    });

    it('returns 403 when an Admin changes, demotes, deactivates or removes an Owner, and changes nothing', async () => {
      const o = await orgWith(1);
      const [, owner2] = o.owners;
      expectError(
        await o.demote(o.admin, owner2, [o.roles.owner, o.roles.member]),
        403,
        'INSUFFICIENT_PERMISSIONS',
      );
      expectError(await o.demote(o.admin, owner2, [o.roles.member]), 403, 'INSUFFICIENT_PERMISSIONS');
      expectError(
        await t.http().post(o.url(owner2.userId, '/deactivate')).set(auth(o.admin)),
        403,
        'INSUFFICIENT_PERMISSIONS',
      );
      expectError(
        await t.http().delete(o.url(owner2.userId)).set(auth(o.admin)),
        403,
        'INSUFFICIENT_PERMISSIONS',
      );
      expect(await o.activeOwners()).toEqual(o.owners.map((a) => a.userId).sort());
    });

    it('returns 403 when an Admin reactivates a deactivated Owner; an Owner may', async () => {
      const o = await orgWith(1);
      const [owner1, owner2] = o.owners;
      expect((await t.http().post(o.url(owner2.userId, '/deactivate')).set(auth(owner1))).status).toBe(200);
      expectError(
        await t.http().post(o.url(owner2.userId, '/reactivate')).set(auth(o.admin)),
        403,
        'INSUFFICIENT_PERMISSIONS',
      );
      expect((await t.http().post(o.url(owner2.userId, '/reactivate')).set(auth(owner1))).status).toBe(200);
      expect(await o.activeOwners()).toEqual([owner1.userId, owner2.userId].sort());
    });

    it('lets an Owner demote, deactivate and remove another Owner while one remains', async () => {
      const o = await orgWith(3);
      const [owner1, owner2, owner3, owner4] = o.owners;
      const demoted = await o.demote(owner1, owner2);
      expect(demoted.status).toBe(200);
      expect(demoted.body.role_ids).toEqual([o.roles.admin]);
      expect((await t.http().post(o.url(owner3.userId, '/deactivate')).set(auth(owner1))).status).toBe(200);
      expect((await t.http().delete(o.url(owner4.userId)).set(auth(owner1))).status).toBe(204);
      expect(await o.activeOwners()).toEqual([owner1.userId]);
    });
  });

  describe('409 LAST_OWNER', () => {
    it('refuses to demote, deactivate or remove the only Owner, even by themselves', async () => {
      const o = await orgWith(0);
      const [owner] = o.owners;
      for (const res of [
        await o.demote(owner, owner),
        await o.demote(owner, owner, [o.roles.member]),
        await t.http().post(o.url(owner.userId, '/deactivate')).set(auth(owner)),
        await t.http().delete(o.url(owner.userId)).set(auth(owner)),
      ]) {
        const error = expectError(res, 409, 'LAST_OWNER');
        expect(error.message).toBe('The last active owner cannot be removed, deactivated or demoted.');
        expect(error.details).toEqual({ organization_id: o.orgId, user_id: owner.userId });
      }
      expect(await o.activeOwners()).toEqual([owner.userId]);
      const still = await t.http().get(o.url(owner.userId)).set(auth(owner));
      expect(still.body).toMatchObject({ account_state: 'active', role_ids: [o.roles.owner] });
    });

    it('still allows changes that keep the Owner role (adding roles and departments)', async () => {
      const o = await orgWith(0);
      const [owner] = o.owners;
      const res = await o.demote(owner, owner, [o.roles.owner, o.roles.admin]);
      expect(res.status).toBe(200);
      expect(res.body.role_ids).toEqual([o.roles.owner, o.roles.admin].sort());
    });

    it('does not count a deactivated or pending Owner as remaining', async () => {
      const o = await orgWith(2);
      const [owner1, owner2, owner3] = o.owners;
      expect((await t.http().post(o.url(owner2.userId, '/deactivate')).set(auth(owner1))).status).toBe(200);
      await t.dataSource.query(
        `UPDATE memberships SET account_state = 'pending_invitation' WHERE user_id = $1 AND organization_id = $2`,
        [owner3.userId, o.orgId],
      );
      expectError(await o.demote(owner1, owner1), 409, 'LAST_OWNER');
      expectError(await t.http().delete(o.url(owner1.userId)).set(auth(owner1)), 409, 'LAST_OWNER');
      expect(await o.activeOwners()).toEqual([owner1.userId]);
    });

    it('lets the second-to-last Owner leave, and then holds for the last', async () => {
      const o = await orgWith(1);
      const [owner1, owner2] = o.owners;
      expect((await t.http().delete(o.url(owner1.userId)).set(auth(owner1))).status).toBe(204);
      expectError(await t.http().delete(o.url(owner2.userId)).set(auth(owner2)), 409, 'LAST_OWNER');
      expect(await o.activeOwners()).toEqual([owner2.userId]);
    });
  });

  describe('under concurrency (real PostgreSQL, requests fired together)', () => {
    const ROUNDS = 5;
    const statuses = (responses: Response[]) => responses.map((r) => r.status).sort();

    it('two Owners demoting each other at once: exactly one succeeds, one Owner remains', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const o = await orgWith(1);
        const [a, b] = o.owners;
        const responses = await Promise.all([o.demote(a, b), o.demote(b, a)]);
        // The loser is no longer an Owner when its turn comes, so it may not act on one.
        expect(statuses(responses)).toEqual([200, 403]);
        expectError(
          responses.find((r) => r.status !== 200)!,
          403,
          'INSUFFICIENT_PERMISSIONS',
        );
        const winner = responses[0].status === 200 ? a : b;
        expect(await o.activeOwners()).toEqual([winner.userId]);
      }
    });

    it('two Owners demoting themselves at once: one succeeds, the other gets LAST_OWNER', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const o = await orgWith(1);
        const [a, b] = o.owners;
        const responses = await Promise.all([o.demote(a, a), o.demote(b, b)]);
        expect(statuses(responses)).toEqual([200, 409]);
        expectError(
          responses.find((r) => r.status === 409)!,
          409,
          'LAST_OWNER',
        );
        expect(await o.activeOwners()).toHaveLength(1);
      }
    });

    it('two Owners leaving, or deactivating each other, at once: one Owner remains', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const o = await orgWith(1);
        const [a, b] = o.owners;
        const leaving = await Promise.all([
          t.http().delete(o.url(a.userId)).set(auth(a)),
          t.http().delete(o.url(b.userId)).set(auth(b)),
        ]);
        expect(statuses(leaving)).toEqual([204, 409]);
        expect(await o.activeOwners()).toHaveLength(1);

        const p = await orgWith(1);
        const [c, d] = p.owners;
        const crossed = await Promise.all([
          t.http().post(p.url(d.userId, '/deactivate')).set(auth(c)),
          t.http().post(p.url(c.userId, '/deactivate')).set(auth(d)),
        ]);
        // The loser has just been deactivated, so its key no longer reaches the organization.
        expect(statuses(crossed)).toEqual([200, 404]);
        expectError(
          crossed.find((r) => r.status === 404)!,
          404,
          'ORGANIZATION_NOT_FOUND',
        );
        expect(await p.activeOwners()).toHaveLength(1);
      }
    });
  });
});
