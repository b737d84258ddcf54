import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { newId } from '../src/common/ids/ids.js';
import {
  Actor,
  auth,
  createActiveMember,
  createOrganizationWithOwner,
  createWorld,
  systemRoles,
  uniqueEmail,
  World,
} from './support/fixtures.js';
import { expectError, fieldErrorLocs } from './support/envelope.js';
import { insertCustomRole, insertDepartment } from './support/invitations.js';
import { walkPages } from './support/pagination.js';
import { createTestApp, TestApp } from './support/test-app.js';

interface Pending {
  userId: string;
  email: string;
  invitationId: string;
}

describe('members: list, get, update memberships, deactivate, reactivate, remove', () => {
  let t: TestApp;
  let w: World;
  let base: string;

  /**
   * A member as an invitation leaves them (built with SQL so this suite does not depend on the
   * invitation endpoints): an account never activated, a pending membership holding the invited
   * roles, a pending invitation and, when the email was requested, its queued outbox row.
   */
  async function createPendingMember(
    orgId: string,
    roleIds: string[],
    emailRequested = true,
  ): Promise<Pending> {
    const userId = newId('usr');
    const membershipId = newId('mem');
    const invitationId = newId('inv');
    const email = uniqueEmail('pending');
    await t.dataSource.transaction(async (m) => {
      await m.query('INSERT INTO users (id, email, full_name) VALUES ($1, $2, $3)', [
        userId,
        email,
        'Pat Pending',
      ]);
      await m.query(
        `INSERT INTO memberships (id, organization_id, user_id, account_state, invited_at)
         VALUES ($1, $2, $3, 'pending_invitation', now())`,
        [membershipId, orgId, userId],
      );
      for (const roleId of roleIds) {
        await m.query('INSERT INTO membership_roles (membership_id, role_id) VALUES ($1, $2)', [
          membershipId,
          roleId,
        ]);
      }
      await m.query(
        `INSERT INTO invitations (id, organization_id, user_id, membership_id, email, role_ids, status, email_status,
                                  invited_by, expires_at, issued_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, now() + interval '7 days', now())`,
        [
          invitationId,
          orgId,
          userId,
          membershipId,
          email,
          roleIds,
          emailRequested ? 'queued' : 'not_requested',
          w.owner.userId,
        ],
      );
      if (emailRequested) {
        await m.query(
          `INSERT INTO email_outbox (invitation_id, invitation_version, status, message_id) VALUES ($1, 1, 'queued', $2)`,
          [invitationId, `<${invitationId}.1@test>`],
        );
      }
    });
    return { userId, email, invitationId };
  }

  const freshMember = (email = uniqueEmail('m')) => createActiveMember(t, w.orgId, [w.roles.member], email);
  const userUrl = (userId: string, suffix = '') => `${base}/users/${userId}${suffix}`;
  const orgReachable = async (actor: Actor) => (await t.http().get(base).set(auth(actor))).status;

  beforeAll(async () => {
    t = await createTestApp();
    w = await createWorld(t);
    base = `/v1/organizations/${w.orgId}`;
  });
  afterAll(() => t.close());

  describe('GET /users/{user_id} (getUser)', () => {
    it("returns seed 001's user object to any active member", async () => {
      const res = await t.http().get(userUrl(w.admin.userId)).set(auth(w.member));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: w.admin.userId,
        full_name: null,
        email: w.admin.email,
        user_name: null,
        account_state: 'active',
        role_ids: [w.roles.admin],
        department_ids: [],
        organization_id: w.orgId,
        invitation_link: null,
        invited_at: null,
        deactivated_at: null,
      });
    });

    it('resolves the organization by slug too', async () => {
      const res = await t
        .http()
        .get(`/v1/organizations/${w.orgSlug}/users/${w.member.userId}`)
        .set(auth(w.owner));
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(w.member.userId);
    });

    it('shows a pending member with invited_at, and the link only when no email was requested', async () => {
      const emailed = await createPendingMember(w.orgId, [w.roles.member], true);
      const byHand = await createPendingMember(w.orgId, [w.roles.admin], false);

      const a = await t.http().get(userUrl(emailed.userId)).set(auth(w.member));
      expect(a.status).toBe(200);
      expect(a.body).toMatchObject({
        account_state: 'pending_invitation',
        full_name: 'Pat Pending',
        email: emailed.email,
        role_ids: [w.roles.member],
        invitation_link: null,
        invited_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      });

      const b = await t.http().get(userUrl(byHand.userId)).set(auth(w.admin));
      expect(b.body.invitation_link).toMatch(
        new RegExp(`^https://app\\.example\\.test/user/register\\?invite=${byHand.invitationId}\\.1\\.`),
      );
      // A link is a credential for the seat: a Member never sees one (API.md "Who sees a link").
      const asMember = await t.http().get(userUrl(byHand.userId)).set(auth(w.member));
      expect(asMember.body.invitation_link).toBeNull();
    });

    it('returns 404 USER_NOT_FOUND for a user of another organization and for an unknown ID', async () => {
      const other = expectError(
        await t.http().get(userUrl(w.otherOwner.userId)).set(auth(w.owner)),
        404,
        'USER_NOT_FOUND',
      );
      expect(other.details).toEqual({ user_id: w.otherOwner.userId });
      expectError(await t.http().get(userUrl('usr_doesnotexist')).set(auth(w.owner)), 404, 'USER_NOT_FOUND');
    });

    it('returns 400 naming path.user_id for a malformed ID', async () => {
      for (const bad of ['org_abc', 'usr_', 'usr_a-b', 'x'.repeat(80)]) {
        const res = await t.http().get(userUrl(bad)).set(auth(w.owner));
        expectError(res, 400, 'VALIDATION_ERROR');
        expect(fieldErrorLocs(res)).toEqual(['path.user_id']);
      }
    });

    it("returns 404 ORGANIZATION_NOT_FOUND with no data to another organization's Owner", async () => {
      const res = await t.http().get(userUrl(w.member.userId)).set(auth(w.otherOwner));
      const error = expectError(res, 404, 'ORGANIZATION_NOT_FOUND');
      expect(error.details).toEqual({});
      expect(JSON.stringify(res.body)).not.toContain(w.member.email);
    });

    it('returns 401 without credentials', async () => {
      expectError(await t.http().get(userUrl(w.member.userId)), 401, 'AUTHENTICATION_REQUIRED');
    });
  });

  describe('GET /users (listUsers)', () => {
    let org: { orgId: string; owner: Actor };
    let roles: { owner: string; admin: string; member: string };
    let everyone: string[];
    let admin: Actor;
    let member: Actor;
    let deactivated: Actor;
    let pending: Pending;
    let engineering: string;
    const url = () => `/v1/organizations/${org.orgId}/users`;

    beforeAll(async () => {
      org = await createOrganizationWithOwner(t, 'Listing Co');
      roles = await systemRoles(t, org.orgId);
      engineering = await insertDepartment(t, org.orgId, 'Engineering');
      admin = await createActiveMember(t, org.orgId, [roles.admin], uniqueEmail('list-admin'));
      member = await createActiveMember(t, org.orgId, [roles.member], uniqueEmail('list-member'));
      deactivated = await createActiveMember(t, org.orgId, [roles.member], uniqueEmail('list-deact'));
      pending = await createPendingMember(org.orgId, [roles.member]);
      for (let i = 0; i < 4; i++) await createActiveMember(t, org.orgId, [roles.member]);
      await t.dataSource.query(
        'INSERT INTO membership_departments (membership_id, department_id) SELECT id, $2 FROM memberships WHERE user_id = ANY($1)',
        [[admin.userId, member.userId], engineering],
      );
      await t.dataSource.query(
        `UPDATE memberships SET account_state = 'deactivated', deactivated_at = now() WHERE organization_id = $1 AND user_id = $2`,
        [org.orgId, deactivated.userId],
      );
      // The order the API promises: membership creation time, then ID (two inserts may share a millisecond).
      const rows: { user_id: string }[] = await t.dataSource.query(
        'SELECT user_id FROM memberships WHERE organization_id = $1 ORDER BY created_at, id',
        [org.orgId],
      );
      everyone = rows.map((r) => r.user_id);
      expect(everyone).toHaveLength(9);
    });

    const ids = (res: { body: { data: { id: string }[] } }) => res.body.data.map((u) => u.id);

    it('lists every member in every state, oldest membership first, as full user objects', async () => {
      const res = await t.http().get(`${url()}?limit=100`).set(auth(member));
      expect(res.status).toBe(200);
      expect(ids(res)).toEqual(everyone);
      expect(res.body.has_more).toBe(false);
      expect(res.body.next_cursor).toBeNull();
      const single = await t
        .http()
        .get(`/v1/organizations/${org.orgId}/users/${admin.userId}`)
        .set(auth(member));
      const listed = res.body.data.find((u: { id: string }) => u.id === admin.userId);
      expect(listed).toEqual(single.body);
      expect(listed.department_ids).toEqual([engineering]);
      expect(res.body.data.find((u: { id: string }) => u.id === deactivated.userId)).toMatchObject({
        account_state: 'deactivated',
        deactivated_at: expect.stringMatching(/Z$/),
      });
    });

    it('walks every page with the cursor, without gaps or repeats', async () => {
      const walk = await walkPages(t, url(), org.owner, 3);
      expect(walk.ids).toEqual(everyone);
      expect(walk.pageSizes).toEqual([3, 3, 3]);
    });

    it('filters by account_state', async () => {
      const p = await t.http().get(`${url()}?account_state=pending_invitation`).set(auth(org.owner));
      expect(ids(p)).toEqual([pending.userId]);
      const d = await t.http().get(`${url()}?account_state=deactivated`).set(auth(org.owner));
      expect(ids(d)).toEqual([deactivated.userId]);
      const a = await t.http().get(`${url()}?account_state=active`).set(auth(org.owner));
      expect(ids(a)).toEqual(everyone.filter((id) => id !== pending.userId && id !== deactivated.userId));
    });

    it('filters by role_id and department_id, combined with AND', async () => {
      expect(ids(await t.http().get(`${url()}?role_id=${roles.admin}`).set(auth(org.owner)))).toEqual([
        admin.userId,
      ]);
      expect(ids(await t.http().get(`${url()}?role_id=${roles.owner}`).set(auth(org.owner)))).toEqual([
        org.owner.userId,
      ]);
      expect(ids(await t.http().get(`${url()}?department_id=${engineering}`).set(auth(org.owner)))).toEqual([
        admin.userId,
        member.userId,
      ]);
      const both = await t
        .http()
        .get(url())
        .query({ department_id: engineering, role_id: roles.member })
        .set(auth(org.owner));
      expect(ids(both)).toEqual([member.userId]);
    });

    it('filters by exact email, trimmed and case-insensitive', async () => {
      const res = await t
        .http()
        .get(url())
        .query({ email: `  ${member.email.toUpperCase()} ` })
        .set(auth(org.owner));
      expect(ids(res)).toEqual([member.userId]);
      // Exact match only: a prefix is not an address (400), another address on the same domain matches no one.
      const prefix = await t
        .http()
        .get(url())
        .query({ email: member.email.slice(0, 8) })
        .set(auth(org.owner));
      expectError(prefix, 400, 'VALIDATION_ERROR');
      const sibling = await t
        .http()
        .get(url())
        .query({ email: `x${member.email}` })
        .set(auth(org.owner));
      expect(ids(sibling)).toEqual([]);
    });

    it("matches no one for another organization's role or department, or a non-member's email", async () => {
      for (const query of [
        { role_id: w.roles.admin },
        { department_id: 'dept_unknown1' },
        { email: w.member.email },
      ]) {
        const res = await t.http().get(url()).query(query).set(auth(org.owner));
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ data: [], has_more: false, next_cursor: null });
      }
    });

    it('returns 400 with field errors for bad filters and paging', async () => {
      const cases: [Record<string, string>, string][] = [
        [{ account_state: 'sleeping' }, 'query.account_state'],
        [{ role_id: 'dept_abc' }, 'query.role_id'],
        [{ department_id: 'nope' }, 'query.department_id'],
        [{ email: 'x'.repeat(255) }, 'query.email'],
        [{ limit: '0' }, 'query.limit'],
        [{ limit: 'ten' }, 'query.limit'],
        [{ cursor: 'garbage!' }, 'query.cursor'],
        [{ sort: 'email' }, 'query.sort'],
      ];
      for (const [query, loc] of cases) {
        const res = await t.http().get(url()).query(query).set(auth(org.owner));
        expectError(res, 400, 'VALIDATION_ERROR');
        expect([...new Set(fieldErrorLocs(res))]).toEqual([loc]);
      }
    });

    it("returns 404 ORGANIZATION_NOT_FOUND with no data to another organization's Owner and to a deactivated member", async () => {
      const res = await t.http().get(url()).set(auth(w.otherOwner));
      expectError(res, 404, 'ORGANIZATION_NOT_FOUND');
      expect(res.body.data).toBeUndefined();
      expectError(await t.http().get(url()).set(auth(deactivated)), 404, 'ORGANIZATION_NOT_FOUND');
    });
  });

  describe('PUT /users/{user_id}/memberships (updateMemberships)', () => {
    let sales: string;
    let support: string;
    let auditor: string;
    let otherDept: string;

    beforeAll(async () => {
      sales = await insertDepartment(t, w.orgId, 'Sales');
      support = await insertDepartment(t, w.orgId, 'Support');
      auditor = await insertCustomRole(t, w.orgId, 'Auditor');
      otherDept = await insertDepartment(t, w.otherOrgId, 'Elsewhere');
    });

    it('replaces both sets and returns the user object (Admin)', async () => {
      const target = await freshMember();
      const first = await t
        .http()
        .put(userUrl(target.userId, '/memberships'))
        .set(auth(w.admin))
        .send({ role_ids: [w.roles.member], department_ids: [sales] });
      expect(first.body.department_ids).toEqual([sales]);

      const res = await t
        .http()
        .put(userUrl(target.userId, '/memberships'))
        .set(auth(w.admin))
        .send({ role_ids: [w.roles.admin, auditor, auditor], department_ids: [support] });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: target.userId,
        account_state: 'active',
        organization_id: w.orgId,
      });
      expect(res.body.role_ids).toEqual([w.roles.admin, auditor].sort());
      expect(res.body.department_ids).toEqual([support]);
      expect((await t.http().get(userUrl(target.userId)).set(auth(w.member))).body).toEqual(res.body);

      const cleared = await t
        .http()
        .put(userUrl(target.userId, '/memberships'))
        .set(auth(w.owner))
        .send({ role_ids: [w.roles.member], department_ids: [] });
      expect(cleared.status).toBe(200);
      expect(cleared.body.role_ids).toEqual([w.roles.member]);
      expect(cleared.body.department_ids).toEqual([]);
    });

    it('changes what the member may do at once', async () => {
      const target = await freshMember();
      // Reactivating an active member is a 409 once the caller may act at all, a 403 before.
      const probe = () => t.http().post(userUrl(w.member.userId, '/reactivate')).set(auth(target));
      expectError(await probe(), 403, 'INSUFFICIENT_PERMISSIONS');
      const promoted = await t
        .http()
        .put(userUrl(target.userId, '/memberships'))
        .set(auth(w.admin))
        .send({ role_ids: [w.roles.admin], department_ids: [] });
      expect(promoted.status).toBe(200);
      expectError(await probe(), 409, 'MEMBER_NOT_DEACTIVATED');
    });

    it("updates a pending member's roles and departments", async () => {
      const p = await createPendingMember(w.orgId, [w.roles.member]);
      const res = await t
        .http()
        .put(userUrl(p.userId, '/memberships'))
        .set(auth(w.admin))
        .send({ role_ids: [auditor], department_ids: [sales] });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        account_state: 'pending_invitation',
        role_ids: [auditor],
        department_ids: [sales],
      });
    });

    it('returns 400 naming each role or department that is unknown or belongs to another organization', async () => {
      const target = await freshMember();
      const otherOrgAdmin = (await systemRoles(t, w.otherOrgId)).admin;
      const res = await t
        .http()
        .put(userUrl(target.userId, '/memberships'))
        .set(auth(w.owner))
        .send({
          role_ids: [w.roles.member, 'role_unknown1', auditor, otherOrgAdmin],
          department_ids: [otherDept, sales],
        });
      const error = expectError(res, 400, 'VALIDATION_ERROR');
      expect(error.details).toEqual({
        errors: [
          {
            loc: ['body', 'role_ids', 1],
            msg: 'role_unknown1 is not a role of this organization',
            type: 'role_not_found',
          },
          {
            loc: ['body', 'role_ids', 3],
            msg: `${otherOrgAdmin} is not a role of this organization`,
            type: 'role_not_found',
          },
          {
            loc: ['body', 'department_ids', 0],
            msg: `${otherDept} is not a department of this organization`,
            type: 'department_not_found',
          },
        ],
      });
      expect((await t.http().get(userUrl(target.userId)).set(auth(w.owner))).body.role_ids).toEqual([
        w.roles.member,
      ]);
    });

    it('returns 400 when role_ids is empty: a member holds at least one role', async () => {
      const target = await freshMember();
      const res = await t
        .http()
        .put(userUrl(target.userId, '/memberships'))
        .set(auth(w.owner))
        .send({ role_ids: [], department_ids: [] });
      expectError(res, 400, 'VALIDATION_ERROR');
      expect(fieldErrorLocs(res)).toEqual(['body.role_ids']);
      expect(res.body.error.details.errors[0].msg).toContain('at least one role');
    });

    it('returns 400 with field errors for wrong types, missing and unknown fields', async () => {
      const target = await freshMember();
      const cases: [unknown, string[]][] = [
        [{ role_ids: w.roles.member, department_ids: [] }, ['body.role_ids']],
        [{ role_ids: [42], department_ids: [] }, ['body.role_ids']],
        [{ role_ids: ['dept_abc'], department_ids: ['role_abc'] }, ['body.role_ids', 'body.department_ids']],
        [{ role_ids: [w.roles.member] }, ['body.department_ids']],
        [{ department_ids: [] }, ['body.role_ids']],
        [{ role_ids: [w.roles.member], department_ids: [], admin: true }, ['body.admin']],
        [{ role_ids: null, department_ids: null }, ['body.role_ids', 'body.department_ids']],
      ];
      for (const [body, locs] of cases) {
        const res = await t
          .http()
          .put(userUrl(target.userId, '/memberships'))
          .set(auth(w.owner))
          .send(body as object);
        expectError(res, 400, 'VALIDATION_ERROR');
        expect([...new Set(fieldErrorLocs(res))].sort()).toEqual(locs.sort());
      }
      const arrayBody = await t
        .http()
        .put(userUrl(target.userId, '/memberships'))
        .set(auth(w.owner))
        .send([]);
      expectError(arrayBody, 400, 'VALIDATION_ERROR');
    });

    it('returns 404 USER_NOT_FOUND for a non-member and 400 for a malformed user_id', async () => {
      const body = { role_ids: [w.roles.member], department_ids: [] };
      const res = await t
        .http()
        .put(userUrl(w.otherOwner.userId, '/memberships'))
        .set(auth(w.owner))
        .send(body);
      expectError(res, 404, 'USER_NOT_FOUND');
      const bad = await t.http().put(userUrl('nope', '/memberships')).set(auth(w.owner)).send(body);
      expectError(bad, 400, 'VALIDATION_ERROR');
      expect(fieldErrorLocs(bad)).toEqual(['path.user_id']);
    });

    it('returns 403 INSUFFICIENT_PERMISSIONS to a Member', async () => {
      const target = await freshMember();
      const res = await t
        .http()
        .put(userUrl(target.userId, '/memberships'))
        .set(auth(w.member))
        .send({ role_ids: [w.roles.admin], department_ids: [] });
      expectError(res, 403, 'INSUFFICIENT_PERMISSIONS');
    });

    it("returns 404 ORGANIZATION_NOT_FOUND to another organization's Owner", async () => {
      const res = await t
        .http()
        .put(userUrl(w.member.userId, '/memberships'))
        .set(auth(w.otherOwner))
        .send({ role_ids: [w.roles.owner], department_ids: [] });
      expectError(res, 404, 'ORGANIZATION_NOT_FOUND');
      expect((await t.http().get(userUrl(w.member.userId)).set(auth(w.owner))).body.role_ids).toEqual([
        w.roles.member,
      ]);
    });
  });

  describe('POST /users/{user_id}/deactivate and /reactivate', () => {
    it("deactivates: the member's keys lose this organization at once, and regain it on reactivation", async () => {
      const target = await freshMember();
      expect(await orgReachable(target)).toBe(200);

      const off = await t.http().post(userUrl(target.userId, '/deactivate')).set(auth(w.admin));
      expect(off.status).toBe(200);
      expect(off.body).toMatchObject({
        id: target.userId,
        account_state: 'deactivated',
        role_ids: [w.roles.member],
      });
      expect(Date.now() - Date.parse(off.body.deactivated_at)).toBeLessThan(60_000);

      expectError(await t.http().get(base).set(auth(target)), 404, 'ORGANIZATION_NOT_FOUND');
      expectError(await t.http().get(`${base}/users`).set(auth(target)), 404, 'ORGANIZATION_NOT_FOUND');
      expect((await t.http().get('/v1/me').set(auth(target))).status).toBe(200); // the account itself still works

      const on = await t.http().post(userUrl(target.userId, '/reactivate')).set(auth(w.admin));
      expect(on.status).toBe(200);
      expect(on.body).toMatchObject({
        account_state: 'active',
        deactivated_at: null,
        role_ids: [w.roles.member],
      });
      expect(await orgReachable(target)).toBe(200);
    });

    it('returns 409 MEMBER_NOT_ACTIVE for a deactivated or pending member', async () => {
      const target = await freshMember();
      await t.http().post(userUrl(target.userId, '/deactivate')).set(auth(w.admin));
      const again = expectError(
        await t.http().post(userUrl(target.userId, '/deactivate')).set(auth(w.admin)),
        409,
        'MEMBER_NOT_ACTIVE',
      );
      expect(again.details).toEqual({ user_id: target.userId, account_state: 'deactivated' });

      const p = await createPendingMember(w.orgId, [w.roles.member]);
      const pending = expectError(
        await t.http().post(userUrl(p.userId, '/deactivate')).set(auth(w.admin)),
        409,
        'MEMBER_NOT_ACTIVE',
      );
      expect(pending.details).toEqual({ user_id: p.userId, account_state: 'pending_invitation' });
    });

    it('returns 409 MEMBER_NOT_DEACTIVATED for an active or pending member', async () => {
      const target = await freshMember();
      const active = expectError(
        await t.http().post(userUrl(target.userId, '/reactivate')).set(auth(w.admin)),
        409,
        'MEMBER_NOT_DEACTIVATED',
      );
      expect(active.details).toEqual({ user_id: target.userId, account_state: 'active' });
      const p = await createPendingMember(w.orgId, [w.roles.member]);
      expectError(
        await t.http().post(userUrl(p.userId, '/reactivate')).set(auth(w.admin)),
        409,
        'MEMBER_NOT_DEACTIVATED',
      );
      expect((await t.http().get(userUrl(p.userId)).set(auth(w.admin))).body.account_state).toBe(
        'pending_invitation',
      );
    });

    it('returns 403 to a Member, 404 to a non-member target, 404 to another organization, 400 for a malformed ID', async () => {
      const target = await freshMember();
      for (const action of ['/deactivate', '/reactivate']) {
        expectError(
          await t.http().post(userUrl(target.userId, action)).set(auth(w.member)),
          403,
          'INSUFFICIENT_PERMISSIONS',
        );
        expectError(
          await t.http().post(userUrl(w.otherOwner.userId, action)).set(auth(w.admin)),
          404,
          'USER_NOT_FOUND',
        );
        expectError(
          await t.http().post(userUrl(target.userId, action)).set(auth(w.otherOwner)),
          404,
          'ORGANIZATION_NOT_FOUND',
        );
        const bad = await t.http().post(userUrl('usr_!', action)).set(auth(w.admin));
        expectError(bad, 400, 'VALIDATION_ERROR');
        expect(fieldErrorLocs(bad)).toEqual(['path.user_id']);
      }
      expect(await orgReachable(target)).toBe(200);
    });

    it('lets an Admin deactivate another Admin, and themselves', async () => {
      const admin2 = await createActiveMember(t, w.orgId, [w.roles.admin]);
      const admin3 = await createActiveMember(t, w.orgId, [w.roles.admin]);
      expect((await t.http().post(userUrl(admin3.userId, '/deactivate')).set(auth(admin2))).status).toBe(200);
      expect((await t.http().post(userUrl(admin2.userId, '/deactivate')).set(auth(admin2))).status).toBe(200);
      expectError(
        await t.http().post(userUrl(admin3.userId, '/reactivate')).set(auth(admin2)),
        404,
        'ORGANIZATION_NOT_FOUND',
      );
    });
  });

  describe('DELETE /users/{user_id} (removeUser)', () => {
    it('removes the membership with 204; the global account remains', async () => {
      const target = await freshMember();
      await t.dataSource.query(
        `INSERT INTO membership_departments (membership_id, department_id)
         SELECT m.id, d.id FROM memberships m, departments d WHERE m.user_id = $1 AND d.organization_id = $2 LIMIT 1`,
        [target.userId, w.orgId],
      );
      const res = await t.http().delete(userUrl(target.userId)).set(auth(w.admin));
      expect(res.status).toBe(204);
      expect(res.text).toBe('');

      expectError(await t.http().get(userUrl(target.userId)).set(auth(w.admin)), 404, 'USER_NOT_FOUND');
      expectError(await t.http().get(base).set(auth(target)), 404, 'ORGANIZATION_NOT_FOUND');
      const me = await t.http().get('/v1/me').set(auth(target));
      expect(me.status).toBe(200);
      expect(me.body.memberships).toEqual([]);
      const [rows] = await t.dataSource.query(
        `SELECT (SELECT count(*) FROM users WHERE id = $1)::int AS users,
                (SELECT count(*) FROM membership_roles mr WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.id = mr.membership_id))::int AS orphan_roles,
                (SELECT count(*) FROM membership_departments md WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.id = md.membership_id))::int AS orphan_departments`,
        [target.userId],
      );
      expect(rows).toEqual({ users: 1, orphan_roles: 0, orphan_departments: 0 });

      expectError(await t.http().delete(userUrl(target.userId)).set(auth(w.admin)), 404, 'USER_NOT_FOUND');
    });

    it('removing a pending member revokes their invitation and supersedes its queued email', async () => {
      const p = await createPendingMember(w.orgId, [w.roles.member]);
      expect((await t.http().delete(userUrl(p.userId)).set(auth(w.admin))).status).toBe(204);
      const [inv] = await t.dataSource.query('SELECT status, revoked_at FROM invitations WHERE id = $1', [
        p.invitationId,
      ]);
      expect(inv.status).toBe('revoked');
      expect(inv.revoked_at).toBeInstanceOf(Date);
      const outbox: { status: string }[] = await t.dataSource.query(
        'SELECT status FROM email_outbox WHERE invitation_id = $1',
        [p.invitationId],
      );
      expect(outbox).toEqual([{ status: 'superseded' }]);
      const list = await t.http().get(`${base}/users`).query({ email: p.email }).set(auth(w.admin));
      expect(list.body.data).toEqual([]);
    });

    it('returns 403 to a Member, 404 to another organization, 400 for a malformed ID', async () => {
      const target = await freshMember();
      expectError(
        await t.http().delete(userUrl(target.userId)).set(auth(w.member)),
        403,
        'INSUFFICIENT_PERMISSIONS',
      );
      expectError(
        await t.http().delete(userUrl(target.userId)).set(auth(w.otherOwner)),
        404,
        'ORGANIZATION_NOT_FOUND',
      );
      const bad = await t.http().delete(userUrl('role_abc')).set(auth(w.admin));
      expectError(bad, 400, 'VALIDATION_ERROR');
      expect(fieldErrorLocs(bad)).toEqual(['path.user_id']);
      expect(await orgReachable(target)).toBe(200);
    });

    it('cannot remove a member of another organization through this one (404 USER_NOT_FOUND)', async () => {
      expectError(
        await t.http().delete(userUrl(w.otherOwner.userId)).set(auth(w.owner)),
        404,
        'USER_NOT_FOUND',
      );
      expect((await t.http().get(`/v1/organizations/${w.otherOrgId}`).set(auth(w.otherOwner))).status).toBe(
        200,
      );
    });
  });
});
