import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectError } from './support/envelope.js';
import { Actor, auth, createActiveMember, createWorld, uniqueEmail, World } from './support/fixtures.js';
import { GENEROUS_LIMITS, tokenFromLink } from './support/invitations.js';
import { eventually } from './support/outbox-fixtures.js';
import { CODE_SUBJECT, emailCodeOf, latestEmailCode, mailTo, mailWorkerFor } from './support/mailbox.js';
import { SmtpSink } from './support/smtp-sink.js';
import { createTestApp, TestApp } from './support/test-app.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** Another code than `code` (a wrong guess). */
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

/**
 * Email proof (API.md): one-time codes emailed through the outbox, checked with their tries counted
 * in the database, from `/v1/me/email-verification` and from accepting an invitation.
 */
describe('email verification', () => {
  let sink: SmtpSink;
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    sink = await SmtpSink.start();
    t = await createTestApp({ ...mailWorkerFor(sink), ...GENEROUS_LIMITS });
    w = await createWorld(t);
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  const unverified = () =>
    createActiveMember(t, w.otherOrgId, [], uniqueEmail('unverified'), { verified: false });
  const requestCode = (actor: Actor) => t.http().post('/v1/me/email-verification').set(auth(actor));
  const confirm = (actor: Actor, code: string) =>
    t.http().post('/v1/me/email-verification/confirm').set(auth(actor)).send({ code });
  const accept = (body: Record<string, unknown>) => t.http().post('/v1/invitations/accept').send(body);
  /** Lets a code's minute (and, with `expire`, its 10 minutes) pass. */
  const age = (userId: string, expire = false) =>
    t.dataSource.query(
      `UPDATE email_verification_codes SET issued_at = issued_at - interval '2 minutes',
              expires_at = CASE WHEN $2 THEN now() - interval '1 second' ELSE expires_at END
        WHERE user_id = $1`,
      [userId, expire],
    );

  describe('POST /v1/me/email-verification and …/confirm', () => {
    it('emails a 6-digit code through the outbox, stores no code, and verifies the caller with it', async () => {
      const actor = await unverified();
      expect((await t.http().get('/v1/me').set(auth(actor))).body.user.email_verified).toBe(false);

      const sent = await requestCode(actor);
      expect(sent.status).toBe(202);
      expect(sent.body).toEqual({ email: actor.email, expires_at: expect.stringMatching(ISO) });
      const minutes = (Date.parse(sent.body.expires_at) - Date.now()) / 60_000;
      expect(minutes).toBeGreaterThan(9);
      expect(minutes).toBeLessThanOrEqual(10);

      const [mail] = await mailTo(sink, actor.email, 1, CODE_SUBJECT);
      const code = emailCodeOf(mail);
      expect(mail.html).toContain(code);
      // Neither the code table nor the outbox holds the code.
      const stored = JSON.stringify([
        await t.dataSource.query('SELECT * FROM email_verification_codes WHERE user_id = $1', [actor.userId]),
        await t.dataSource.query('SELECT * FROM email_outbox WHERE user_id = $1', [actor.userId]),
      ]);
      expect(stored).not.toContain(code);
      const outbox = await eventually(async () => {
        const [row] = await t.dataSource.query(
          'SELECT invitation_id, verification_code_id, status FROM email_outbox WHERE user_id = $1',
          [actor.userId],
        );
        return row.status === 'sent' && row;
      });
      expect(outbox).toEqual({
        invitation_id: null,
        verification_code_id: expect.stringMatching(/^evc_/),
        status: 'sent',
      });

      expect(expectError(await confirm(actor, wrong(code)), 400, 'EMAIL_CODE_INVALID').details).toEqual({
        attempts_remaining: 4,
      });
      const ok = await confirm(actor, code);
      expect(ok.status).toBe(200);
      expect(ok.body.user).toMatchObject({ id: actor.userId, email_verified: true });
      expect((await t.http().get('/v1/me').set(auth(actor))).body.user.email_verified).toBe(true);
      // Verifying oneself keeps one's keys.
      expect((await t.http().get('/v1/api-keys').set(auth(actor))).status).toBe(200);

      expectError(await requestCode(actor), 409, 'EMAIL_ALREADY_VERIFIED');
      expectError(await confirm(actor, code), 409, 'EMAIL_ALREADY_VERIFIED');
    });

    it('sends at most one new code a minute (429 with Retry-After); a newer code replaces the older', async () => {
      const actor = await unverified();
      expect((await requestCode(actor)).status).toBe(202);
      const first = await latestEmailCode(sink, actor.email);

      const throttled = await requestCode(actor);
      const error = expectError(throttled, 429, 'RATE_LIMITED');
      expect(error.details).toMatchObject({
        scope: 'email-verification-code',
        retry_after_seconds: expect.any(Number),
      });
      const retryAfter = Number(throttled.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);

      await age(actor.userId);
      expect((await requestCode(actor)).status).toBe(202);
      const second = await latestEmailCode(sink, actor.email, 2);
      expect((await mailTo(sink, actor.email, 2, CODE_SUBJECT)).length).toBe(2);
      if (second !== first) expectError(await confirm(actor, first), 400, 'EMAIL_CODE_INVALID');
      expect((await confirm(actor, second)).status).toBe(200);
    });

    it('counts every try in the database: of 8 concurrent wrong tries exactly 5 count, then even the right code is refused', async () => {
      const actor = await unverified();
      expect((await requestCode(actor)).status).toBe(202);
      const code = await latestEmailCode(sink, actor.email);

      const tries = await Promise.all(Array.from({ length: 8 }, () => confirm(actor, wrong(code))));
      const invalid = tries.filter((r) => r.body.error?.code === 'EMAIL_CODE_INVALID');
      const expired = tries.filter((r) => r.body.error?.code === 'EMAIL_CODE_EXPIRED');
      expect(invalid.map((r) => r.body.error.details.attempts_remaining).sort()).toEqual([0, 1, 2, 3, 4]);
      expect(expired).toHaveLength(3);
      for (const res of expired) expectError(res, 410, 'EMAIL_CODE_EXPIRED');
      const [row] = await t.dataSource.query(
        'SELECT attempts FROM email_verification_codes WHERE user_id = $1',
        [actor.userId],
      );
      expect(row.attempts).toBe(5);

      expectError(await confirm(actor, code), 410, 'EMAIL_CODE_EXPIRED');
      expect((await t.http().get('/v1/me').set(auth(actor))).body.user.email_verified).toBe(false);
    });

    it("refuses a code after its 10 minutes, a code never requested, and another user's code", async () => {
      const actor = await unverified();
      expectError(await confirm(actor, '123456'), 410, 'EMAIL_CODE_EXPIRED');

      expect((await requestCode(actor)).status).toBe(202);
      const code = await latestEmailCode(sink, actor.email);
      const other = await unverified();
      expect((await requestCode(other)).status).toBe(202);
      const otherCode = await latestEmailCode(sink, other.email);
      if (otherCode !== code) expectError(await confirm(actor, otherCode), 400, 'EMAIL_CODE_INVALID');

      await age(actor.userId, true);
      expectError(await confirm(actor, code), 410, 'EMAIL_CODE_EXPIRED');
    });

    it('validates the code and needs credentials', async () => {
      const actor = await unverified();
      for (const code of ['12345', '1234567', 'abcdef', ' 12345']) {
        expectError(await confirm(actor, code), 400, 'VALIDATION_ERROR');
      }
      expectError(await t.http().post('/v1/me/email-verification'), 401, 'AUTHENTICATION_REQUIRED');
      expectError(
        await t.http().post('/v1/me/email-verification/confirm').send({ code: '123456' }),
        401,
        'AUTHENTICATION_REQUIRED',
      );
      expectError(
        await t
          .http()
          .post('/v1/me/email-verification')
          .set('X-API-Key', 'oik_' + 'C'.repeat(43)),
        401,
        'INVALID_API_KEY',
      );
    });
  });

  describe('accepting an invitation', () => {
    const invite = async (email: string, body: Record<string, unknown> = {}) => {
      const res = await t
        .http()
        .post(`/v1/organizations/${w.orgId}/invitations`)
        .set(auth(w.owner))
        .send({ email, send_invitation: false, ...body });
      expect(res.status).toBe(201);
      return res.body as { invitation_id: string; user_id: string; invitation_link: string };
    };

    it('records which invitation created an account, and only when its create inserted it', async () => {
      const email = uniqueEmail('creator');
      const first = await invite(email);
      const other = await t
        .http()
        .post(`/v1/organizations/${w.otherOrgId}/invitations`)
        .set(auth(w.otherOwner))
        .send({ email, send_invitation: false, full_name: 'Other Name' });
      expect(other.status).toBe(201);
      const [user] = await t.dataSource.query(
        'SELECT created_by_invitation_id, full_name, email_verified_at FROM users WHERE id = $1',
        [first.user_id],
      );
      expect(user).toEqual({
        created_by_invitation_id: first.invitation_id,
        full_name: null,
        email_verified_at: null,
      });
    });

    it('lets a verified account accept only with its own key, code or not', async () => {
      // The other organization's Owner was made by the bootstrap CLI: verified.
      const created = await invite(w.otherOwner.email);
      const token = tokenFromLink(created.invitation_link);
      expectError(await accept({ token }), 403, 'INVITATION_EMAIL_MISMATCH');
      expectError(await accept({ token, email_code: '123456' }), 403, 'INVITATION_EMAIL_MISMATCH');
      expectError(await accept({ token }).set(auth(w.member)), 403, 'INVITATION_EMAIL_MISMATCH');
      const res = await accept({ token, full_name: 'Ignored' }).set(auth(w.otherOwner));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        api_key: null,
        user: { id: w.otherOwner.userId, email_verified: true },
      });
      expect((await t.http().get('/v1/me').set(auth(w.otherOwner))).status).toBe(200);
    });

    it('needs a code for a never-active account re-invited after its first invitation was revoked', async () => {
      const email = uniqueEmail('reinvited');
      const first = await invite(email);
      expect(
        (
          await t
            .http()
            .post(`/v1/organizations/${w.orgId}/invitations/${first.invitation_id}/revoke`)
            .set(auth(w.owner))
        ).status,
      ).toBe(200);
      const second = await invite(email, { role_ids: [w.roles.admin] });
      const token = tokenFromLink(second.invitation_link);

      const required = expectError(await accept({ token }), 403, 'EMAIL_VERIFICATION_REQUIRED');
      expect(required.details).toEqual({
        invitation_id: second.invitation_id,
        code_sent: true,
        code_expires_at: expect.stringMatching(ISO),
        retry_after_seconds: 60,
      });
      const code = await latestEmailCode(sink, email);
      // A wrong code is a counted try, committed although the accept is refused; the invitation stays pending.
      expectError(await accept({ token, email_code: wrong(code) }), 400, 'EMAIL_CODE_INVALID');
      const [row] = await t.dataSource.query(
        'SELECT attempts FROM email_verification_codes WHERE user_id = $1',
        [second.user_id],
      );
      expect(row.attempts).toBe(1);

      const accepted = await accept({ token, email_code: code, full_name: 'Re Invited' });
      expect(accepted.status).toBe(200);
      expect(accepted.body.user).toMatchObject({
        id: second.user_id,
        full_name: 'Re Invited',
        email_verified: true,
      });
      const me = await t.http().get('/v1/me').set('X-API-Key', accepted.body.api_key);
      expect(me.body.memberships).toEqual([
        expect.objectContaining({ organization_id: w.orgId, role_ids: [w.roles.admin] }),
      ]);
      // The code is used up; the invitation is accepted.
      expectError(await accept({ token, email_code: code }), 409, 'INVITATION_ALREADY_ACCEPTED');
    });

    it('validates email_code', async () => {
      const created = await invite(uniqueEmail('format'));
      expectError(
        await accept({ token: tokenFromLink(created.invitation_link), email_code: '12 345' }),
        400,
        'VALIDATION_ERROR',
      );
    });
  });
});
