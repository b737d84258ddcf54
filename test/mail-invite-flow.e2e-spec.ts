import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectError } from './support/envelope.js';
import { auth, createWorld, uniqueEmail, World } from './support/fixtures.js';
import { eventually, outboxState } from './support/outbox-fixtures.js';
import { ReceivedMail, SmtpSink } from './support/smtp-sink.js';
import { createTestApp, TestApp } from './support/test-app.js';

const FAST_WORKER = {
  MAIL_WORKER_ENABLED: 'true',
  MAIL_POLL_INTERVAL_MS: '50',
  MAIL_RETRY_BASE_MS: '50',
  RESEND_COOLDOWN_SECONDS: '0',
};

/** The invite link's token, read from the plain-text part the way a person would copy it. */
function tokenOf(mail: ReceivedMail): string {
  const match = /https:\/\/app\.example\.test\/user\/register\?invite=(\S+)/.exec(mail.text ?? '');
  if (!match) throw new Error(`no invite link in:\n${mail.text}`);
  return decodeURIComponent(match[1]);
}

/** `<inv_….vN@host>` → the invitation id. */
const invitationIdOf = (mail: ReceivedMail) => /^<(inv_[A-Za-z0-9]+)\.v\d+@/.exec(mail.messageId)![1];

async function mailTo(sink: SmtpSink, email: string, count = 1): Promise<ReceivedMail[]> {
  return eventually(
    async () => {
      const found = sink.messages.filter((m) => m.recipients.includes(email));
      return found.length >= count && found;
    },
    15_000,
    `${count} message(s) to ${email}`,
  );
}

async function outboxIdsOf(t: TestApp, invitationId: string): Promise<string[]> {
  const rows: { id: string }[] = await t.dataSource.query(
    'SELECT id FROM email_outbox WHERE invitation_id = $1 ORDER BY invitation_version',
    [invitationId],
  );
  return rows.map((r) => String(r.id));
}

describe('mail end to end: invite over HTTP, receive over SMTP, accept with the link', () => {
  let sink: SmtpSink;
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    sink = await SmtpSink.start();
    t = await createTestApp({ SMTP_URL: sink.url, ...FAST_WORKER });
    w = await createWorld(t);
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  it('invites with POST …/users/invite/v2, delivers the email, and its link accepts into a working API key', async () => {
    const email = uniqueEmail('newcomer');
    const invite = await t
      .http()
      .post(`/v1/organizations/${w.orgId}/users/invite/v2`)
      .set(auth(w.owner))
      .send({
        email,
        full_name: 'Nina Newcomer',
        role_ids: [w.roles.admin],
        custom_message: 'Hi <i>Nina</i> & team',
      });
    expect(invite.status).toBe(201);

    const [mail] = await mailTo(sink, email);
    expect(mail.subject).toBe(`${w.owner.email} invited you to join Acme`);
    expect(mail.to).toBe(`Nina Newcomer <${email}>`);
    expect(mail.text).toContain('Hi <i>Nina</i> & team');
    expect(mail.html).toContain('Hi &lt;i&gt;Nina&lt;/i&gt; &amp; team');
    expect(mail.text).toContain('as Admin.');
    const invitationId = invitationIdOf(mail);
    expect(mail.messageId).toBe(`<${invitationId}.v1@app.example.test>`);

    const shown = await eventually(async () => {
      const res = await t
        .http()
        .get(`/v1/organizations/${w.orgId}/invitations/${invitationId}`)
        .set(auth(w.owner));
      return res.body.email_status === 'sent' && res;
    });
    expect(shown.status).toBe(200);

    const accepted = await t
      .http()
      .post('/v1/invitations/accept')
      .send({ token: tokenOf(mail) });
    expect(accepted.status).toBe(200);
    expect(typeof accepted.body.api_key).toBe('string');

    const me = await t.http().get('/v1/me').set('X-API-Key', accepted.body.api_key);
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ email, full_name: 'Nina Newcomer' });
    expect(me.body.memberships).toEqual([
      expect.objectContaining({
        organization_id: w.orgId,
        account_state: 'active',
        role_ids: [w.roles.admin],
      }),
    ]);
    expect(sink.messages.filter((m) => m.recipients.includes(email))).toHaveLength(1);
  });

  it('resend sends a second message with a new Message-ID and link; the first link stops working', async () => {
    const email = uniqueEmail('resent');
    const invite = await t
      .http()
      .post(`/v1/organizations/${w.orgId}/users/invite/v2`)
      .set(auth(w.owner))
      .send({ email });
    expect(invite.status).toBe(201);
    const [first] = await mailTo(sink, email);
    const invitationId = invitationIdOf(first);

    const resend = await t
      .http()
      .post(`/v1/organizations/${w.orgId}/invitations/${invitationId}/resend`)
      .set(auth(w.owner));
    expect(resend.status).toBe(200);
    const [, second] = await mailTo(sink, email, 2);

    expect(second.messageId).toBe(`<${invitationId}.v2@app.example.test>`);
    expect(tokenOf(second)).not.toBe(tokenOf(first));
    expectError(
      await t
        .http()
        .post('/v1/invitations/accept')
        .send({ token: tokenOf(first) }),
      404,
      'INVITATION_NOT_FOUND',
    );
    const accepted = await t
      .http()
      .post('/v1/invitations/accept')
      .send({ token: tokenOf(second) });
    expect(accepted.status).toBe(200);
  });
});

describe('mail end to end: an SMTP outage while inviting', () => {
  it('still answers 201, keeps retrying, and delivers exactly once when the server is back', async () => {
    // Down for maintenance: the server greets every connection with 421 and hangs up. It keeps its
    // port the whole time, so nothing else can take the port between the outage and the recovery.
    const sink = await SmtpSink.start({ refusing: true });
    const t = await createTestApp({
      SMTP_URL: sink.url,
      ...FAST_WORKER,
      MAIL_MAX_ATTEMPTS: '20',
    });
    try {
      const w = await createWorld(t);
      const email = uniqueEmail('outage');
      const invite = await t
        .http()
        .post(`/v1/organizations/${w.orgId}/users/invite/v2`)
        .set(auth(w.owner))
        .send({ email });
      expect(invite.status).toBe(201);
      const [{ id: invitationId }]: { id: string }[] = await t.dataSource.query(
        'SELECT id FROM invitations WHERE email = $1',
        [email],
      );
      const [outboxId] = await outboxIdsOf(t, invitationId);

      const down = await eventually(async () => {
        const s = await outboxState(t.dataSource, outboxId);
        return s.attempts >= 2 && s.last_error !== null && s;
      });
      expect(down).toMatchObject({ status: 'queued', email_status: 'queued' });
      expect(down.last_error).toMatch(/421 4\.3\.2 service not available, try again later$/);
      expect(down.email_last_error).toBe(down.last_error);
      expect(sink.messages).toHaveLength(0);

      sink.refusing = false;
      await mailTo(sink, email);
      // Several more poll rounds: nothing is sent a second time.
      await new Promise((r) => setTimeout(r, 500));

      expect(sink.messages).toHaveLength(1);
      expect(sink.messages[0].messageId).toBe(`<${invitationId}.v1@app.example.test>`);
      expect(await outboxState(t.dataSource, outboxId)).toMatchObject({
        status: 'sent',
        last_error: null,
        email_status: 'sent',
        email_last_error: null,
      });
    } finally {
      await t.close();
      await sink.close();
    }
  });
});
