import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InvitationTokens } from '../src/invitations/invitation-token.js';
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
import {
  INVITATION_KEYS,
  currentToken,
  expireInvitation,
  GENEROUS_LIMITS,
  insertDepartment,
  membershipOf,
  outboxRows,
  pastResendCooldown,
  tokenFromLink,
} from './support/invitations.js';
import { createTestApp, TestApp } from './support/test-app.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const DAY_MS = 86_400_000;

interface InvitationBody {
  invitation_id: string;
  user_id: string;
  email: string;
  status: string;
  invitation_link: string | null;
  expires_at: string;
  created_at: string;
  [key: string]: unknown;
}

describe('invitation lifecycle', () => {
  let t: TestApp;
  let w: World;
  const base = (org = w.orgId) => `/v1/organizations/${org}/invitations`;

  /** Creates an invitation through the general endpoint (no email unless asked) and returns its body. */
  async function invite(body: Record<string, unknown> = {}, actor = w.admin): Promise<InvitationBody> {
    const res = await t
      .http()
      .post(base())
      .set(auth(actor))
      .send({ email: uniqueEmail('invitee'), send_invitation: false, ...body });
    expect(res.status).toBe(201);
    return res.body as InvitationBody;
  }

  const lookup = (token: string) => t.http().get('/v1/invitations/lookup').query({ token });
  const accept = (token: string, body: Record<string, unknown> = {}) =>
    t
      .http()
      .post('/v1/invitations/accept')
      .send({ token, ...body });
  const decline = (token: string) => t.http().post('/v1/invitations/decline').send({ token });
  const resend = (id: string, actor = w.admin) => t.http().post(`${base()}/${id}/resend`).set(auth(actor));
  const revoke = (id: string, actor = w.admin) => t.http().post(`${base()}/${id}/revoke`).set(auth(actor));
  const storedRow = async (id: string) =>
    (await t.dataSource.query('SELECT * FROM invitations WHERE id = $1', [id]))[0];

  beforeAll(async () => {
    t = await createTestApp(GENEROUS_LIMITS);
    w = await createWorld(t);
  });
  afterAll(() => t.close());

  describe('POST /v1/organizations/{organization_id}/invitations (createInvitation)', () => {
    it('returns 201 with the Invitation resource, expiring after INVITATION_TTL_DAYS by default', async () => {
      const email = uniqueEmail('general');
      const res = await t
        .http()
        .post(base())
        .set(auth(w.admin))
        .send({ email, full_name: 'Gen Eral', custom_message: 'Hi there' });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body).sort()).toEqual([...INVITATION_KEYS].sort());
      expect(res.body).toEqual({
        invitation_id: expect.stringMatching(/^inv_[A-Za-z0-9]{22}$/),
        organization_id: w.orgId,
        email,
        user_id: expect.stringMatching(/^usr_/),
        role_id: w.roles.member,
        role_ids: [w.roles.member],
        department_ids: [],
        status: 'pending',
        invitation_link: expect.stringMatching(/^https:\/\/app\.example\.test\/user\/register\?invite=/),
        custom_message: 'Hi there',
        invited_by: w.admin.userId,
        email_status: 'queued',
        expires_at: expect.stringMatching(ISO),
        created_at: expect.stringMatching(ISO),
        accepted_at: null,
        revoked_at: null,
      });
      expect((Date.parse(res.body.expires_at) - Date.parse(res.body.created_at)) / DAY_MS).toBeCloseTo(7, 3);
      expect(await outboxRows(t, res.body.invitation_id)).toEqual([
        {
          invitation_version: 1,
          status: 'queued',
          message_id: `<${res.body.invitation_id}.v1@app.example.test>`,
        },
      ]);
    });

    it('honours expires_in_days from 1 to 30, and rejects 0, 31 and fractions', async () => {
      for (const days of [1, 30]) {
        const body = await invite({ expires_in_days: days });
        expect((Date.parse(body.expires_at) - Date.parse(body.created_at)) / DAY_MS).toBeCloseTo(days, 3);
      }
      for (const days of [0, 31, 2.5, '3']) {
        const res = await t
          .http()
          .post(base())
          .set(auth(w.admin))
          .send({ email: uniqueEmail(), expires_in_days: days });
        expectError(res, 400, 'VALIDATION_ERROR');
        expect(new Set(fieldErrorLocs(res))).toEqual(new Set(['body.expires_in_days']));
      }
    });

    it('returns 403 to an Admin granting Owner and to a Member; 404 to another organization’s Owner', async () => {
      expectError(
        await t
          .http()
          .post(base())
          .set(auth(w.admin))
          .send({ email: uniqueEmail(), role_ids: [w.roles.owner] }),
        403,
        'INSUFFICIENT_PERMISSIONS',
      );
      expectError(
        await t.http().post(base()).set(auth(w.member)).send({ email: uniqueEmail() }),
        403,
        'INSUFFICIENT_PERMISSIONS',
      );
      expectError(
        await t.http().post(base()).set(auth(w.otherOwner)).send({ email: uniqueEmail() }),
        404,
        'ORGANIZATION_NOT_FOUND',
      );
      expect((await invite({ role_ids: [w.roles.owner] }, w.owner)).role_ids).toEqual([w.roles.owner]);
    });

    it('returns 409 USER_ALREADY_EXISTS for an active or deactivated member', async () => {
      const deactivated = await createActiveMember(t, w.orgId, [w.roles.member]);
      await t.dataSource.query(`UPDATE memberships SET account_state = 'deactivated' WHERE user_id = $1`, [
        deactivated.userId,
      ]);
      for (const email of [w.owner.email, deactivated.email]) {
        const error = expectError(
          await t.http().post(base()).set(auth(w.admin)).send({ email }),
          409,
          'USER_ALREADY_EXISTS',
        );
        expect(error.details).toEqual({ email, organization_id: w.orgId });
      }
    });

    it('returns 400 for a bad email, unknown fields and a non-object body', async () => {
      const res = await t
        .http()
        .post(base())
        .set(auth(w.admin))
        .send({ email: 'x@', role_ids: 'role_x', nope: 1 });
      expectError(res, 400, 'VALIDATION_ERROR');
      expect(new Set(fieldErrorLocs(res))).toEqual(new Set(['body.email', 'body.role_ids', 'body.nope']));
      expectError(await t.http().post(base()).set(auth(w.admin)).send([]), 400, 'VALIDATION_ERROR');
    });
  });

  describe('invite → lookup → accept, end to end', () => {
    it('activates a new account with the invited roles and departments and gives it a working key', async () => {
      const department = await insertDepartment(t, w.orgId, 'Research');
      const email = uniqueEmail('newcomer');
      const created = await invite({ email, role_ids: [w.roles.admin], department_ids: [department] });
      const token = tokenFromLink(created.invitation_link!);
      expect(await membershipOf(t, w.orgId, created.user_id)).toEqual({
        account_state: 'pending_invitation',
        role_ids: [w.roles.admin],
        department_ids: [department],
      });

      const before = await storedRow(created.invitation_id);
      const looked = await lookup(token);
      expect(looked.status).toBe(200);
      expect(looked.body).toEqual({
        invitation_id: created.invitation_id,
        status: 'pending',
        email,
        organization: { id: w.orgId, name: 'Acme', slug: w.orgSlug },
        roles: [{ id: w.roles.admin, name: 'Admin' }],
        invited_by: { full_name: null, email: w.admin.email },
        expires_at: created.expires_at,
      });
      await lookup(token);
      expect(await storedRow(created.invitation_id)).toEqual(before);

      const accepted = await accept(token, { full_name: 'New Comer' });
      expect(accepted.status).toBe(200);
      expect(accepted.body).toEqual({
        user: {
          id: created.user_id,
          email,
          full_name: 'New Comer',
          user_name: null,
          email_verified: false,
          created_at: expect.stringMatching(ISO),
        },
        organization_id: w.orgId,
        api_key: expect.stringMatching(/^oik_[A-Za-z0-9]{43}$/),
      });

      const me = await t.http().get('/v1/me').set('X-API-Key', accepted.body.api_key);
      expect(me.status).toBe(200);
      expect(me.body.user.id).toBe(created.user_id);
      expect(me.body.memberships).toEqual([
        {
          organization_id: w.orgId,
          organization_name: 'Acme',
          organization_slug: w.orgSlug,
          account_state: 'active',
          role_ids: [w.roles.admin],
          department_ids: [department],
        },
      ]);
      // The new Admin can act in the organization right away.
      const asAdmin = await t.http().get(base()).set('X-API-Key', accepted.body.api_key);
      expect(asAdmin.status).toBe(200);

      const after = await t.http().get(`${base()}/${created.invitation_id}`).set(auth(w.member));
      expect(after.body).toMatchObject({
        status: 'accepted',
        invitation_link: null,
        accepted_at: expect.stringMatching(ISO),
      });
      expect((await lookup(token)).body.status).toBe('accepted');
    });

    it('answers a second accept and a late decline with 409 INVITATION_ALREADY_ACCEPTED', async () => {
      const token = tokenFromLink((await invite()).invitation_link!);
      expect((await accept(token)).status).toBe(200);
      expectError(await accept(token), 409, 'INVITATION_ALREADY_ACCEPTED');
      expectError(await decline(token), 409, 'INVITATION_ALREADY_ACCEPTED');
    });

    it('requires an existing active account to accept with its own key, and issues no key', async () => {
      const existing = await createActiveMember(t, w.otherOrgId, [], uniqueEmail('existing'));
      const created = await invite({ email: existing.email.toUpperCase() });
      expect(created.user_id).toBe(existing.userId);
      const token = tokenFromLink(created.invitation_link!);

      const anonymous = expectError(await accept(token), 403, 'INVITATION_EMAIL_MISMATCH');
      expect(anonymous.details).toEqual({ invitation_id: created.invitation_id });
      expectError(await accept(token).set(auth(w.member)), 403, 'INVITATION_EMAIL_MISMATCH');
      expectError(
        await accept(token).set('X-API-Key', 'oik_' + 'B'.repeat(43)),
        403,
        'INVITATION_EMAIL_MISMATCH',
      );
      expect((await membershipOf(t, w.orgId, existing.userId))?.account_state).toBe('pending_invitation');

      const keysBefore = await t.dataSource.query('SELECT id FROM api_keys WHERE user_id = $1', [
        existing.userId,
      ]);
      const res = await accept(token, { full_name: 'Ignored Name' }).set(
        'Authorization',
        `Bearer ${existing.key}`,
      );
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        organization_id: w.orgId,
        api_key: null,
        user: { id: existing.userId, full_name: null },
      });
      expect(
        await t.dataSource.query('SELECT id FROM api_keys WHERE user_id = $1', [existing.userId]),
      ).toEqual(keysBefore);
      expect((await membershipOf(t, w.orgId, existing.userId))?.account_state).toBe('active');
    });

    it('answers every wrong token with the same 404, and a missing one with 400', async () => {
      const created = await invite();
      const token = tokenFromLink(created.invitation_link!);
      const [id, version, mac] = token.split('.');
      const forged = [
        'garbage',
        `${id}.${version}.${'A'.repeat(43)}`,
        `${id}.2.${mac}`,
        `inv_nosuchinvitation.1.${mac}`,
        t.app.get(InvitationTokens).sign('inv_nosuchinvitation', 1),
      ];
      for (const bad of forged) {
        for (const res of [await lookup(bad), await accept(bad), await decline(bad)]) {
          const error = expectError(res, 404, 'INVITATION_NOT_FOUND');
          expect(error.details).toEqual({});
        }
      }
      expectError(await t.http().get('/v1/invitations/lookup'), 400, 'VALIDATION_ERROR');
      expectError(await t.http().post('/v1/invitations/accept').send({}), 400, 'VALIDATION_ERROR');
      expect((await storedRow(created.invitation_id)).status).toBe('pending');
    });
  });

  describe('decline', () => {
    it('declines, removes the pending membership, and leaves the link dead', async () => {
      const created = await invite({ send_invitation: true });
      const token = tokenFromLink(created.invitation_link!);
      const res = await decline(token);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ invitation_id: created.invitation_id, status: 'declined' });
      expect(await membershipOf(t, w.orgId, created.user_id)).toBeUndefined();
      expect((await outboxRows(t, created.invitation_id)).map((r) => r.status)).toEqual(['superseded']);
      expectError(await accept(token), 410, 'INVITATION_DECLINED');
      expectError(await decline(token), 410, 'INVITATION_DECLINED');
      const listed = await t
        .http()
        .get(base())
        .query({ status: 'declined', email: created.email })
        .set(auth(w.member));
      expect(listed.body.data.map((i: InvitationBody) => i.invitation_id)).toEqual([created.invitation_id]);
    });
  });

  describe('POST …/invitations/{invitation_id}/revoke (revokeInvitation)', () => {
    it('revokes a pending invitation: the link dies, the pending membership and queued email go', async () => {
      const created = await invite({ send_invitation: true });
      const res = await revoke(created.invitation_id);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'revoked',
        revoked_at: expect.stringMatching(ISO),
        invitation_link: null,
      });
      expect(await membershipOf(t, w.orgId, created.user_id)).toBeUndefined();
      expect((await outboxRows(t, created.invitation_id)).map((r) => r.status)).toEqual(['superseded']);
      expectError(await accept(tokenFromLink(created.invitation_link!)), 410, 'INVITATION_REVOKED');
      expectError(await revoke(created.invitation_id), 410, 'INVITATION_REVOKED');
      // The email can be invited again afterwards.
      expect((await invite({ email: created.email })).status).toBe('pending');
    });

    it('answers accepted with 409 and expired with 410 INVITATION_EXPIRED', async () => {
      const acceptedOne = await invite();
      await accept(tokenFromLink(acceptedOne.invitation_link!));
      expectError(await revoke(acceptedOne.invitation_id), 409, 'INVITATION_ALREADY_ACCEPTED');
      const expiredOne = await invite();
      await expireInvitation(t, expiredOne.invitation_id);
      expectError(await revoke(expiredOne.invitation_id), 410, 'INVITATION_EXPIRED');
    });

    it('returns 403 to a Member, 404 to another organization’s Owner, and 404 for unknown or other-org IDs', async () => {
      const created = await invite();
      expectError(await revoke(created.invitation_id, w.member), 403, 'INSUFFICIENT_PERMISSIONS');
      expectError(await revoke(created.invitation_id, w.otherOwner), 404, 'ORGANIZATION_NOT_FOUND');
      const other = await t
        .http()
        .post(base(w.otherOrgId))
        .set(auth(w.otherOwner))
        .send({ email: uniqueEmail(), send_invitation: false });
      expectError(await revoke(other.body.invitation_id), 404, 'INVITATION_NOT_FOUND');
      expectError(await revoke('inv_doesnotexist'), 404, 'INVITATION_NOT_FOUND');
      const malformed = await revoke('usr_abc');
      expectError(malformed, 400, 'VALIDATION_ERROR');
      expect(fieldErrorLocs(malformed)).toEqual(['path.invitation_id']);
      expect((await storedRow(other.body.invitation_id)).status).toBe('pending');
      expect((await storedRow(created.invitation_id)).status).toBe('pending');
    });
  });

  describe('POST …/invitations/{invitation_id}/resend (resendInvitation)', () => {
    it('is throttled: 429 RATE_LIMITED with Retry-After right after sending', async () => {
      const created = await invite({ send_invitation: true });
      const res = await resend(created.invitation_id);
      const error = expectError(res, 429, 'RATE_LIMITED');
      const retryAfter = Number(res.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(t.config.resendCooldownSeconds);
      expect(error.details).toEqual({
        invitation_id: created.invitation_id,
        retry_after_seconds: retryAfter,
      });
      expect((await storedRow(created.invitation_id)).version).toBe(1);
    });

    it('sends at once an invitation created without an email, then throttles the next resend', async () => {
      const created = await invite({ send_invitation: false });
      const res = await resend(created.invitation_id);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ invitation_id: created.invitation_id, email_status: 'queued' });
      expect(
        (await outboxRows(t, created.invitation_id)).map((r) => [r.invitation_version, r.status]),
      ).toEqual([[2, 'queued']]);
      // That resend sent an email: the cooldown now counts from it.
      expectError(await resend(created.invitation_id), 429, 'RATE_LIMITED');
      expect((await storedRow(created.invitation_id)).version).toBe(2);
    });

    it('rotates the link (the old one is dead), renews the expiry and queues the email again', async () => {
      const created = await invite({ send_invitation: true, expires_in_days: 3 });
      const oldToken = tokenFromLink(created.invitation_link!);
      await pastResendCooldown(t, created.invitation_id);
      const res = await resend(created.invitation_id);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        invitation_id: created.invitation_id,
        status: 'pending',
        email_status: 'queued',
      });
      const newToken = tokenFromLink(res.body.invitation_link);
      expect(newToken).not.toBe(oldToken);
      expect(newToken).toBe(await currentToken(t, created.invitation_id));
      expect((Date.parse(res.body.expires_at) - Date.now()) / DAY_MS).toBeCloseTo(3, 2);
      expect(await outboxRows(t, created.invitation_id)).toEqual([
        {
          invitation_version: 1,
          status: 'superseded',
          message_id: `<${created.invitation_id}.v1@app.example.test>`,
        },
        {
          invitation_version: 2,
          status: 'queued',
          message_id: `<${created.invitation_id}.v2@app.example.test>`,
        },
      ]);

      expectError(await lookup(oldToken), 404, 'INVITATION_NOT_FOUND');
      expectError(await accept(oldToken), 404, 'INVITATION_NOT_FOUND');
      expectError(await decline(oldToken), 404, 'INVITATION_NOT_FOUND');
      expect((await accept(newToken)).status).toBe(200);
    });

    it('revives an expired invitation with a fresh expiry', async () => {
      const created = await invite();
      await expireInvitation(t, created.invitation_id);
      await pastResendCooldown(t, created.invitation_id);
      const token = tokenFromLink(created.invitation_link!);
      expectError(await accept(token), 410, 'INVITATION_EXPIRED');
      const res = await resend(created.invitation_id);
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('pending');
      expect(Date.parse(res.body.expires_at)).toBeGreaterThan(Date.now() + 6 * DAY_MS);
      expect((await accept(tokenFromLink(res.body.invitation_link))).status).toBe(200);
    });

    it('refuses finished invitations: 409 accepted, 410 revoked and declined', async () => {
      const acceptedOne = await invite();
      await accept(tokenFromLink(acceptedOne.invitation_link!));
      const revokedOne = await invite();
      await revoke(revokedOne.invitation_id);
      const declinedOne = await invite();
      await decline(tokenFromLink(declinedOne.invitation_link!));
      for (const one of [acceptedOne, revokedOne, declinedOne])
        await pastResendCooldown(t, one.invitation_id);
      expectError(await resend(acceptedOne.invitation_id), 409, 'INVITATION_ALREADY_ACCEPTED');
      expectError(await resend(revokedOne.invitation_id), 410, 'INVITATION_REVOKED');
      expectError(await resend(declinedOne.invitation_id), 410, 'INVITATION_DECLINED');
    });

    it('refuses to revive an expired invitation while a newer one for the email is pending', async () => {
      const old = await invite();
      await expireInvitation(t, old.invitation_id);
      const newer = await invite({ email: old.email });
      expect(newer.user_id).toBe(old.user_id);
      expect((await storedRow(old.invitation_id)).status).toBe('expired');
      await pastResendCooldown(t, old.invitation_id);
      const error = expectError(await resend(old.invitation_id), 409, 'INVITATION_ALREADY_PENDING');
      expect(error.details).toEqual({ invitation_id: newer.invitation_id });
    });

    it('returns 403 to a Member, 404 to another organization’s Owner and for an unknown ID', async () => {
      const created = await invite();
      await pastResendCooldown(t, created.invitation_id);
      expectError(await resend(created.invitation_id, w.member), 403, 'INSUFFICIENT_PERMISSIONS');
      expectError(await resend(created.invitation_id, w.otherOwner), 404, 'ORGANIZATION_NOT_FOUND');
      expectError(await resend('inv_doesnotexist'), 404, 'INVITATION_NOT_FOUND');
      expect((await storedRow(created.invitation_id)).version).toBe(1);
    });
  });

  describe('expiry (derived from expires_at)', () => {
    it('shows a lapsed invitation as expired everywhere, refuses to accept it, and lets the email be invited again', async () => {
      const created = await invite();
      await expireInvitation(t, created.invitation_id);
      const token = tokenFromLink(created.invitation_link!);
      expect((await lookup(token)).body.status).toBe('expired');
      const got = await t.http().get(`${base()}/${created.invitation_id}`).set(auth(w.member));
      expect(got.body).toMatchObject({ status: 'expired', invitation_link: null });
      expectError(await accept(token), 410, 'INVITATION_EXPIRED');
      expectError(await decline(token), 410, 'INVITATION_EXPIRED');

      const again = await invite({ email: created.email, role_ids: [w.roles.admin] });
      expect(again.user_id).toBe(created.user_id);
      expect((await storedRow(created.invitation_id)).status).toBe('expired');
      expect((await membershipOf(t, w.orgId, created.user_id))?.role_ids).toEqual([w.roles.admin]);
      // The account was created by the expired invitation, so the new one cannot activate it
      // without the emailed code (API.md "Email proof"; test/email-verification.e2e-spec.ts).
      expectError(await accept(tokenFromLink(again.invitation_link!)), 403, 'EMAIL_VERIFICATION_REQUIRED');
    });
  });

  describe('GET …/invitations and GET …/invitations/{invitation_id}', () => {
    let acme: {
      orgId: string;
      owner: Actor;
      admin: Actor;
      member: Actor;
      otherOrgId: string;
      otherOwner: Actor;
    };
    let ids: Record<string, string>;

    beforeAll(async () => {
      // A fresh organization, so the list holds exactly what this block creates.
      const org = await createOrganizationWithOwner(t, 'Listing Co');
      const roles = await systemRoles(t, org.orgId);
      acme = {
        orgId: org.orgId,
        owner: org.owner,
        admin: await createActiveMember(t, org.orgId, [roles.admin]),
        member: await createActiveMember(t, org.orgId, [roles.member]),
        otherOrgId: w.otherOrgId,
        otherOwner: w.otherOwner,
      };
      const make = async () =>
        (
          await t
            .http()
            .post(base(acme.orgId))
            .set(auth(acme.owner))
            .send({ email: uniqueEmail('list'), send_invitation: false })
        ).body as InvitationBody;
      const [pending, expired, revoked, accepted, declined] = [
        await make(),
        await make(),
        await make(),
        await make(),
        await make(),
      ];
      await expireInvitation(t, expired.invitation_id);
      await t
        .http()
        .post(`${base(acme.orgId)}/${revoked.invitation_id}/revoke`)
        .set(auth(acme.admin));
      await accept(tokenFromLink(accepted.invitation_link!));
      await decline(tokenFromLink(declined.invitation_link!));
      ids = {
        pending: pending.invitation_id,
        expired: expired.invitation_id,
        revoked: revoked.invitation_id,
        accepted: accepted.invitation_id,
        declined: declined.invitation_id,
      };
    });

    it('lists oldest first with keyset pagination, to any active member', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const res = await t
          .http()
          .get(base(acme.orgId))
          .query(cursor ? { limit: 2, cursor } : { limit: 2 })
          .set(auth(acme.member));
        expect(res.status).toBe(200);
        expect(Object.keys(res.body).sort()).toEqual(['data', 'has_more', 'next_cursor']);
        seen.push(...res.body.data.map((i: InvitationBody) => i.invitation_id));
        cursor = res.body.next_cursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual([ids.pending, ids.expired, ids.revoked, ids.accepted, ids.declined]);
    });

    it('filters by effective status and by email', async () => {
      for (const status of ['pending', 'expired', 'revoked', 'accepted', 'declined']) {
        const res = await t.http().get(base(acme.orgId)).query({ status }).set(auth(acme.member));
        expect(res.status).toBe(200);
        expect(res.body.data.map((i: InvitationBody) => [i.invitation_id, i.status])).toEqual([
          [ids[status], status],
        ]);
      }
      const one = await t
        .http()
        .get(`${base(acme.orgId)}/${ids.pending}`)
        .set(auth(acme.member));
      const byEmail = await t
        .http()
        .get(base(acme.orgId))
        .query({ email: ` ${one.body.email.toUpperCase()} ` })
        .set(auth(acme.member));
      expect(byEmail.body.data).toEqual([one.body]);
      const bad = await t
        .http()
        .get(base(acme.orgId))
        .query({ status: 'lost', limit: 0 })
        .set(auth(acme.member));
      expectError(bad, 400, 'VALIDATION_ERROR');
      expect(new Set(fieldErrorLocs(bad))).toEqual(new Set(['query.status', 'query.limit']));
    });

    it('gets one invitation; another organization sees nothing', async () => {
      const res = await t
        .http()
        .get(`${base(acme.orgId)}/${ids.pending}`)
        .set(auth(acme.member));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        invitation_id: ids.pending,
        organization_id: acme.orgId,
        status: 'pending',
      });
      expectError(
        await t
          .http()
          .get(`${base(acme.orgId)}/${ids.pending}`)
          .set(auth(acme.otherOwner)),
        404,
        'ORGANIZATION_NOT_FOUND',
      );
      expectError(
        await t.http().get(base(acme.orgId)).set(auth(acme.otherOwner)),
        404,
        'ORGANIZATION_NOT_FOUND',
      );
      // Asked through their own organization, another tenant's invitation does not exist.
      expectError(
        await t
          .http()
          .get(`${base(acme.otherOrgId)}/${ids.pending}`)
          .set(auth(acme.otherOwner)),
        404,
        'INVITATION_NOT_FOUND',
      );
      expectError(
        await t
          .http()
          .get(`${base(acme.orgId)}/inv_doesnotexist`)
          .set(auth(acme.member)),
        404,
        'INVITATION_NOT_FOUND',
      );
      expectError(await t.http().get(`${base(acme.orgId)}/${ids.pending}`), 401, 'AUTHENTICATION_REQUIRED');
    });
  });
});
