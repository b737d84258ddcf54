import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Response } from 'supertest';
import { auth, createWorld, uniqueEmail, World } from './support/fixtures.js';
import { expectError, fieldErrorLocs } from './support/envelope.js';
import {
  INVITATION_KEYS,
  expectOrgSlugError,
  GENEROUS_LIMITS,
  insertCustomRole,
  insertDepartment,
  outboxRows,
  tokenFromLink,
} from './support/invitations.js';
import { createTestApp, TestApp } from './support/test-app.js';

const LINK = /^https:\/\/app\.example\.test\/user\/register\?invite=inv_[A-Za-z0-9]+\.1\.[A-Za-z0-9_-]{43}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
/** The fields a 400 names, each once (a field can break several rules). */
const locs = (res: Response) => [...new Set(fieldErrorLocs(res))].sort();

describe('published invitation endpoints (seeds 000–003)', () => {
  let t: TestApp;
  let w: World;
  let otherOrgRole: string;

  beforeAll(async () => {
    t = await createTestApp(GENEROUS_LIMITS);
    w = await createWorld(t);
    [{ id: otherOrgRole }] = await t.dataSource.query(
      `SELECT id FROM roles WHERE organization_id = $1 AND key = 'member'`,
      [w.otherOrgId],
    );
  });
  afterAll(() => t.close());

  describe('POST /v1/organizations/{organization_id}/invite-user (seed 000)', () => {
    const url = (org = w.orgId) => `/v1/organizations/${org}/invite-user`;

    it('returns 201 with exactly the seed fields and a link built from PUBLIC_APP_URL', async () => {
      const email = uniqueEmail('invite-user');
      const res = await t
        .http()
        .post(url())
        .set(auth(w.admin))
        .send({ email: `  ${email.toUpperCase()} `, role_id: w.roles.admin, send_invitation: true });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body).sort()).toEqual([
        'email',
        'invitation_id',
        'invitation_link',
        'role_id',
        'user_id',
      ]);
      expect(res.body).toEqual({
        invitation_id: expect.stringMatching(/^inv_/),
        email,
        role_id: w.roles.admin,
        user_id: expect.stringMatching(/^usr_/),
        invitation_link: expect.stringMatching(LINK),
      });
      const rows = await outboxRows(t, res.body.invitation_id);
      expect(rows).toEqual([
        {
          invitation_version: 1,
          status: 'queued',
          message_id: `<${res.body.invitation_id}.v1@app.example.test>`,
        },
      ]);
      const [inv] = await t.dataSource.query('SELECT email_status FROM invitations WHERE id = $1', [
        res.body.invitation_id,
      ]);
      expect(inv.email_status).toBe('queued');
    });

    it('accepts the organization slug in the path and defaults send_invitation to true', async () => {
      const res = await t
        .http()
        .post(url(w.orgSlug))
        .set(auth(w.owner))
        .send({ email: uniqueEmail(), role_id: w.roles.member });
      expect(res.status).toBe(201);
      expect(await outboxRows(t, res.body.invitation_id)).toHaveLength(1);
    });

    it('writes no email when send_invitation is false, and still returns the link', async () => {
      const res = await t
        .http()
        .post(url())
        .set(auth(w.admin))
        .send({ email: uniqueEmail(), role_id: w.roles.member, send_invitation: false });
      expect(res.status).toBe(201);
      expect(res.body.invitation_link).toMatch(LINK);
      expect(await outboxRows(t, res.body.invitation_id)).toEqual([]);
    });

    it('reuses the global account of an existing user (user_id)', async () => {
      const res = await t
        .http()
        .post(url())
        .set(auth(w.admin))
        .send({ email: w.otherOwner.email, role_id: w.roles.member });
      expect(res.status).toBe(201);
      expect(res.body.user_id).toBe(w.otherOwner.userId);
    });

    it('returns 409 USER_ALREADY_EXISTS with seed 000’s message for a member, whatever the case of the email', async () => {
      const res = await t
        .http()
        .post(url())
        .set(auth(w.admin))
        .send({ email: w.member.email.toUpperCase(), role_id: w.roles.member });
      const error = expectError(res, 409, 'USER_ALREADY_EXISTS');
      expect(error.message).toBe('User already exists in organization');
    });

    it('returns 409 INVITATION_ALREADY_PENDING naming the pending invitation', async () => {
      const email = uniqueEmail();
      const first = await t.http().post(url()).set(auth(w.admin)).send({ email, role_id: w.roles.member });
      const second = await t
        .http()
        .post(url())
        .set(auth(w.owner))
        .send({ email: email.toUpperCase(), role_id: w.roles.admin });
      const error = expectError(second, 409, 'INVITATION_ALREADY_PENDING');
      expect(error.details).toEqual({
        invitation_id: first.body.invitation_id,
        email,
        organization_id: w.orgId,
      });
    });

    it('returns 400 naming the fields of a bad body', async () => {
      const res = await t
        .http()
        .post(url())
        .set(auth(w.admin))
        .send({ email: 'not-an-email', role_id: 'dept_x', extra: 1 });
      expectError(res, 400, 'VALIDATION_ERROR');
      expect(locs(res)).toEqual(['body.email', 'body.extra', 'body.role_id']);
      const missing = await t.http().post(url()).set(auth(w.admin)).send({ email: uniqueEmail() });
      expect(locs(missing)).toEqual(['body.role_id']);
      const long = await t
        .http()
        .post(url())
        .set(auth(w.admin))
        .send({ email: `${'a'.repeat(250)}@x.io`, role_id: w.roles.member });
      expect(locs(long)).toEqual(['body.email']);
    });

    it('returns 400 naming role_id when the role is another organization’s or unknown', async () => {
      for (const roleId of [otherOrgRole, 'role_doesnotexist']) {
        const res = await t
          .http()
          .post(url())
          .set(auth(w.admin))
          .send({ email: uniqueEmail(), role_id: roleId });
        expectError(res, 400, 'VALIDATION_ERROR');
        expect(fieldErrorLocs(res)).toEqual(['body.role_id']);
      }
    });

    it('lets an Owner grant Owner, but returns 403 to an Admin who tries', async () => {
      const denied = await t
        .http()
        .post(url())
        .set(auth(w.admin))
        .send({ email: uniqueEmail(), role_id: w.roles.owner });
      expectError(denied, 403, 'INSUFFICIENT_PERMISSIONS');
      const granted = await t
        .http()
        .post(url())
        .set(auth(w.owner))
        .send({ email: uniqueEmail(), role_id: w.roles.owner });
      expect(granted.status).toBe(201);
    });

    it('returns 403 to a Member, 404 to another organization’s Owner and 401 without a key, creating nothing', async () => {
      const email = uniqueEmail();
      const body = { email, role_id: w.roles.member };
      expectError(await t.http().post(url()).set(auth(w.member)).send(body), 403, 'INSUFFICIENT_PERMISSIONS');
      expectError(
        await t.http().post(url()).set(auth(w.otherOwner)).send(body),
        404,
        'ORGANIZATION_NOT_FOUND',
      );
      expectError(await t.http().post(url()).send(body), 401, 'AUTHENTICATION_REQUIRED');
      expect(await t.dataSource.query('SELECT 1 FROM invitations WHERE email = $1', [email])).toEqual([]);
    });
  });

  describe('POST /v1/organizations/{organization_id}/users/invite/v2 (seed 001)', () => {
    const url = (org = w.orgId) => `/v1/organizations/${org}/users/invite/v2`;
    let engineering: string;
    let sales: string;

    beforeAll(async () => {
      engineering = await insertDepartment(t, w.orgId, 'Engineering');
      sales = await insertCustomRole(t, w.orgId, 'Sales Lead');
    });

    it('returns 201 with seed 001’s user object, pending, with the invited roles and departments', async () => {
      const email = uniqueEmail('jane');
      const res = await t
        .http()
        .post(url())
        .set(auth(w.admin))
        .send({
          email,
          full_name: 'Jane Doe',
          role_ids: [sales, w.roles.admin],
          department_ids: [engineering],
          send_invitation: true,
          custom_message: 'Welcome <b>Jane</b>',
        });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body).sort()).toEqual(
        [
          'account_state',
          'deactivated_at',
          'department_ids',
          'email',
          'full_name',
          'id',
          'invitation_link',
          'invited_at',
          'organization_id',
          'role_ids',
          'user_name',
        ].sort(),
      );
      expect(res.body).toEqual({
        id: expect.stringMatching(/^usr_/),
        full_name: 'Jane Doe',
        email,
        user_name: null,
        account_state: 'pending_invitation',
        role_ids: expect.arrayContaining([sales, w.roles.admin]),
        department_ids: [engineering],
        organization_id: w.orgId,
        invitation_link: null,
        invited_at: expect.stringMatching(ISO),
        deactivated_at: null,
      });
      expect(res.body.role_ids).toHaveLength(2);
      const [inv] = await t.dataSource.query(
        'SELECT id, custom_message, email_status FROM invitations WHERE user_id = $1',
        [res.body.id],
      );
      expect(inv).toMatchObject({ custom_message: 'Welcome <b>Jane</b>', email_status: 'queued' });
      expect(await outboxRows(t, inv.id)).toHaveLength(1);
    });

    it('shows the link only when send_invitation is false, and that link works', async () => {
      const res = await t
        .http()
        .post(url())
        .set(auth(w.admin))
        .send({ email: uniqueEmail(), send_invitation: false });
      expect(res.status).toBe(201);
      expect(res.body.invitation_link).toMatch(LINK);
      const lookup = await t
        .http()
        .get('/v1/invitations/lookup')
        .query({ token: tokenFromLink(res.body.invitation_link) });
      expect(lookup.status).toBe(200);
      expect(lookup.body.email).toBe(res.body.email);
    });

    it('gives the Member role when role_ids is empty', async () => {
      const res = await t.http().post(url()).set(auth(w.admin)).send({ email: uniqueEmail(), role_ids: [] });
      expect(res.status).toBe(201);
      expect(res.body.role_ids).toEqual([w.roles.member]);
      expect(res.body.department_ids).toEqual([]);
    });

    it('returns 409 USER_ALREADY_EXISTS with seed 001’s message and details', async () => {
      const res = await t.http().post(url()).set(auth(w.admin)).send({ email: w.admin.email });
      const error = expectError(res, 409, 'USER_ALREADY_EXISTS');
      expect(error.message).toBe('An account with this email already exists.');
      expect(error.system_message).toBe('an account with this email already exists.');
      expect(error.details).toEqual({ email: w.admin.email, organization_id: w.orgId });
    });

    it('returns 400 naming each role and department ID that is not of this organization', async () => {
      const [{ id: otherDept }] = await t.dataSource.query(
        `INSERT INTO departments (id, organization_id, name) VALUES ('dept_otherorg1', $1, 'Elsewhere') RETURNING id`,
        [w.otherOrgId],
      );
      const email = uniqueEmail();
      const res = await t
        .http()
        .post(url())
        .set(auth(w.admin))
        .send({
          email,
          role_ids: [otherOrgRole, w.roles.member, 'role_nosuchrole'],
          department_ids: [engineering, otherDept],
        });
      expectError(res, 400, 'VALIDATION_ERROR');
      expect(fieldErrorLocs(res)).toEqual(['body.role_ids.0', 'body.role_ids.2', 'body.department_ids.1']);
      const messages = (res.body.error.details.errors as { msg: string }[]).map((e) => e.msg).join(' ');
      expect(messages).toContain(otherOrgRole);
      expect(messages).toContain('role_nosuchrole');
      expect(messages).toContain(otherDept);
      expect(await t.dataSource.query('SELECT 1 FROM users WHERE email = $1', [email])).toEqual([]);
    });

    it('returns 400 for over-long full_name and custom_message, malformed IDs and null role_ids', async () => {
      const res = await t
        .http()
        .post(url())
        .set(auth(w.admin))
        .send({
          email: uniqueEmail(),
          full_name: 'x'.repeat(256),
          custom_message: 'y'.repeat(2001),
          department_ids: ['role_abc'],
        });
      expectError(res, 400, 'VALIDATION_ERROR');
      expect(locs(res)).toEqual(['body.custom_message', 'body.department_ids', 'body.full_name']);
      const nulls = await t
        .http()
        .post(url())
        .set(auth(w.admin))
        .send({ email: uniqueEmail(), role_ids: null });
      expect(locs(nulls)).toEqual(['body.role_ids']);
    });

    it('returns 403 to an Admin granting Owner, and to a Member; 404 to another organization’s Owner', async () => {
      expectError(
        await t
          .http()
          .post(url())
          .set(auth(w.admin))
          .send({ email: uniqueEmail(), role_ids: [w.roles.member, w.roles.owner] }),
        403,
        'INSUFFICIENT_PERMISSIONS',
      );
      expectError(
        await t.http().post(url()).set(auth(w.member)).send({ email: uniqueEmail() }),
        403,
        'INSUFFICIENT_PERMISSIONS',
      );
      expectError(
        await t.http().post(url()).set(auth(w.otherOwner)).send({ email: uniqueEmail() }),
        404,
        'ORGANIZATION_NOT_FOUND',
      );
      const owner = await t
        .http()
        .post(url())
        .set(auth(w.owner))
        .send({ email: uniqueEmail(), role_ids: [w.roles.owner] });
      expect(owner.status).toBe(201);
      expect(owner.body.role_ids).toEqual([w.roles.owner]);
    });
  });

  describe('GET /v1/organizations/{organization_id}/invitation (seed 003)', () => {
    const url = (org = w.orgId) => `/v1/organizations/${org}/invitation`;
    let invited: {
      invitation_id: string;
      email: string;
      user_id: string;
      invitation_link: string;
      role_id: string;
    };

    beforeAll(async () => {
      const res = await t
        .http()
        .post(`/v1/organizations/${w.orgId}/invite-user`)
        .set(auth(w.admin))
        .send({ email: uniqueEmail('pending-lookup'), role_id: w.roles.admin });
      invited = res.body;
    });

    it('finds the pending invitation by email, user_id or invitation_id, with exactly seed 003’s fields', async () => {
      for (const query of [
        { email: invited.email.toUpperCase() },
        { user_id: invited.user_id },
        { invitation_id: invited.invitation_id },
      ]) {
        const res = await t.http().get(url()).query(query).set(auth(w.admin));
        expect(res.status).toBe(200);
        expect(Object.keys(res.body).sort()).toEqual(
          [
            'created_at',
            'email',
            'expires_at',
            'invitation_id',
            'invitation_link',
            'organization_id',
            'role_id',
            'user_id',
          ].sort(),
        );
        expect(res.body).toEqual({
          invitation_id: invited.invitation_id,
          email: invited.email,
          user_id: invited.user_id,
          organization_id: w.orgId,
          role_id: w.roles.admin,
          // Re-derived from the secret, not stored: the same link seed 000 returned.
          invitation_link: invited.invitation_link,
          expires_at: expect.stringMatching(ISO),
          created_at: expect.stringMatching(ISO),
        });
        const days = (Date.parse(res.body.expires_at) - Date.parse(res.body.created_at)) / 86_400_000;
        expect(days).toBeCloseTo(7, 3);
        // Any member may read it (seed 003: "Requires organization membership"), but only without the link.
        const asMember = await t.http().get(url()).query(query).set(auth(w.member));
        expect(asMember.body).toEqual({ ...res.body, invitation_link: null });
      }
    });

    it('returns 400 with seed 003’s message unless exactly one parameter is given', async () => {
      for (const query of [
        {},
        { email: invited.email, user_id: invited.user_id },
        { email: 'a@b.io', invitation_id: 'inv_x', user_id: 'usr_y' },
      ]) {
        const res = await t.http().get(url()).query(query).set(auth(w.member));
        const error = expectError(res, 400, 'VALIDATION_ERROR');
        expect(error.message).toBe('Exactly one query parameter required: email, user_id, or invitation_id');
      }
      const malformed = await t.http().get(url()).query({ user_id: 'inv_abc' }).set(auth(w.member));
      expectError(malformed, 400, 'VALIDATION_ERROR');
      expect(fieldErrorLocs(malformed)).toEqual(['query.user_id']);
    });

    it('returns 404 INVITATION_NOT_FOUND with seed 003’s message when nothing is pending', async () => {
      for (const query of [
        { email: uniqueEmail() },
        { user_id: w.member.userId },
        { invitation_id: 'inv_nosuchinvitation' },
      ]) {
        const error = expectError(
          await t.http().get(url()).query(query).set(auth(w.member)),
          404,
          'INVITATION_NOT_FOUND',
        );
        expect(error.message).toBe('No pending invitation found');
      }
    });

    it('does not find revoked or expired invitations', async () => {
      const make = async () =>
        (
          await t
            .http()
            .post(`/v1/organizations/${w.orgId}/invite-user`)
            .set(auth(w.admin))
            .send({ email: uniqueEmail(), role_id: w.roles.member })
        ).body.invitation_id as string;
      const revoked = await make();
      expect(
        (await t.http().post(`/v1/organizations/${w.orgId}/invitations/${revoked}/revoke`).set(auth(w.admin)))
          .status,
      ).toBe(200);
      const expired = await make();
      await t.dataSource.query(
        `UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = $1`,
        [expired],
      );
      for (const id of [revoked, expired]) {
        expectError(
          await t.http().get(url()).query({ invitation_id: id }).set(auth(w.member)),
          404,
          'INVITATION_NOT_FOUND',
        );
      }
    });

    it('never shows another organization’s invitation', async () => {
      expectError(
        await t.http().get(url()).query({ invitation_id: invited.invitation_id }).set(auth(w.otherOwner)),
        404,
        'ORGANIZATION_NOT_FOUND',
      );
      const res = await t
        .http()
        .get(url(w.otherOrgId))
        .query({ invitation_id: invited.invitation_id })
        .set(auth(w.otherOwner));
      expectError(res, 404, 'INVITATION_NOT_FOUND');
      expectError(await t.http().get(url()).query({ email: invited.email }), 401, 'AUTHENTICATION_REQUIRED');
    });
  });

  describe('POST /api/v1/org/{slug}/invitations (seed 002)', () => {
    const url = (slug = w.orgSlug) => `/api/v1/org/${slug}/invitations`;

    it('returns 201 with the invitation and its role, for a role given by key', async () => {
      const email = uniqueEmail('org-slug');
      const res = await t
        .http()
        .post(url())
        .set('Authorization', `Bearer ${w.owner.key}`)
        .send({ email, role: 'owner' });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body).sort()).toEqual([...INVITATION_KEYS, 'role'].sort());
      expect(res.body).toMatchObject({
        role: 'owner',
        email,
        organization_id: w.orgId,
        role_id: w.roles.owner,
        role_ids: [w.roles.owner],
        status: 'pending',
        email_status: 'queued',
        invited_by: w.owner.userId,
      });
      expect(res.body.invitation_link).toMatch(LINK);
    });

    it('resolves a role by name, case-insensitively, and reports system roles by key', async () => {
      const admin = await t
        .http()
        .post(url())
        .set(auth(w.owner))
        .send({ email: uniqueEmail(), role: ' ADMIN ' });
      expect(admin.status).toBe(201);
      expect(admin.body).toMatchObject({ role: 'admin', role_id: w.roles.admin });
      const byName = await t
        .http()
        .post(url())
        .set(auth(w.admin))
        .send({ email: uniqueEmail(), role: 'Member' });
      expect(byName.body).toMatchObject({ role: 'member', role_id: w.roles.member });
      const customId = await insertCustomRole(t, w.orgId, 'Support Agent');
      const custom = await t
        .http()
        .post(url())
        .set(auth(w.admin))
        .send({ email: uniqueEmail(), role: 'support AGENT', send_invitation: false });
      expect(custom.status).toBe(201);
      expect(custom.body).toMatchObject({
        role: 'Support Agent',
        role_id: customId,
        email_status: 'not_requested',
      });
    });

    it('renders 401 in seed 002’s envelope, without and with a bad key', async () => {
      expectOrgSlugError(
        await t.http().post(url()).send({ email: uniqueEmail(), role: 'member' }),
        401,
        'authentication_error',
      );
      expectOrgSlugError(
        await t
          .http()
          .post(url())
          .set('Authorization', 'Bearer oik_nope')
          .send({ email: uniqueEmail(), role: 'member' }),
        401,
        'authentication_error',
      );
    });

    it('renders 403 in seed 002’s envelope for a Member and for an Admin granting owner', async () => {
      expectOrgSlugError(
        await t.http().post(url()).set(auth(w.member)).send({ email: uniqueEmail(), role: 'member' }),
        403,
        'permission_denied',
      );
      expectOrgSlugError(
        await t.http().post(url()).set(auth(w.admin)).send({ email: uniqueEmail(), role: 'Owner' }),
        403,
        'permission_denied',
      );
    });

    it('renders 404 in seed 002’s envelope for another organization’s Owner and an unknown slug', async () => {
      expectOrgSlugError(
        await t.http().post(url()).set(auth(w.otherOwner)).send({ email: uniqueEmail(), role: 'member' }),
        404,
        'not_found',
      );
      expectOrgSlugError(
        await t
          .http()
          .post(url('no-such-org'))
          .set(auth(w.owner))
          .send({ email: uniqueEmail(), role: 'member' }),
        404,
        'not_found',
      );
    });

    it('renders 409 in seed 002’s envelope for a member and for a pending invitation', async () => {
      expectOrgSlugError(
        await t.http().post(url()).set(auth(w.admin)).send({ email: w.member.email, role: 'member' }),
        409,
        'conflict',
      );
      const email = uniqueEmail();
      expect((await t.http().post(url()).set(auth(w.admin)).send({ email, role: 'member' })).status).toBe(
        201,
      );
      expectOrgSlugError(
        await t.http().post(url()).set(auth(w.admin)).send({ email, role: 'admin' }),
        409,
        'conflict',
      );
    });

    it('renders validation errors as 422 with field errors', async () => {
      const bad = expectOrgSlugError(
        await t.http().post(url()).set(auth(w.admin)).send({ email: 'nope', role: '', extra: true }),
        422,
        'validation_error',
      );
      expect(bad.map((e) => e.loc.join('.')).sort()).toEqual(['body.email', 'body.extra', 'body.role']);
      const unknownRole = expectOrgSlugError(
        await t.http().post(url()).set(auth(w.admin)).send({ email: uniqueEmail(), role: 'janitor' }),
        422,
        'validation_error',
      );
      expect(unknownRole).toEqual([
        { loc: ['body', 'role'], msg: expect.stringContaining('janitor'), type: 'role_not_found' },
      ]);
      const json = await t
        .http()
        .post(url())
        .set(auth(w.admin))
        .set('Content-Type', 'application/json')
        .send('{bad');
      expectOrgSlugError(json, 422, 'validation_error');
    });
  });
});
