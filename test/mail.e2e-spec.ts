import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from 'pg';
import { InvitationTokens } from '../src/invitations/invitation-token.js';
import { OutboxWorker } from '../src/mail/outbox-worker.js';
import { createWorld, World } from './support/fixtures.js';
import { eventually, outboxState, queueInvitationEmail } from './support/outbox-fixtures.js';
import { ReceivedMail, SmtpSink } from './support/smtp-sink.js';
import { createTestApp, TestApp } from './support/test-app.js';

/** The app's worker polls fast and retries fast, against a real SMTP server on loopback. */
const FAST_WORKER = { MAIL_WORKER_ENABLED: 'true', MAIL_POLL_INTERVAL_MS: '50', MAIL_RETRY_BASE_MS: '50' };

/** The invite link's token, read from the plain-text part the way a person would copy it. */
function tokenOf(mail: ReceivedMail): string {
  const match = /https:\/\/app\.example\.test\/user\/register\?invite=(\S+)/.exec(mail.text ?? '');
  if (!match) throw new Error(`no invite link in:\n${mail.text}`);
  return decodeURIComponent(match[1]);
}

const decodeEntities = (html: string) => html.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');

describe('mail: invitation emails through the outbox, over real SMTP', () => {
  let t: TestApp;
  let w: World;
  let sink: SmtpSink;

  beforeAll(async () => {
    // Recipients say how the server treats them: "fail-twice-…" gets two temporary failures,
    // "always-fail-…" nothing but temporary failures.
    sink = await SmtpSink.start({
      reject: (message, attempt) => {
        if (message.to.includes('always-fail-')) return '451 4.3.0 mailbox busy, try later';
        if (message.to.includes('fail-twice-') && attempt <= 2) return '451 4.3.0 greylisted, try later';
        return undefined;
      },
    });
    t = await createTestApp({
      SMTP_URL: sink.url,
      ...FAST_WORKER,
      MAIL_MAX_ATTEMPTS: '3',
      MAIL_FROM: 'Acme Invitations <invites@acme.test>',
    });
    w = await createWorld(t);
    await t.dataSource.query(`UPDATE users SET full_name = 'Olivia Owner' WHERE id = $1`, [w.owner.userId]);
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  it('delivers the email with subject, both parts, link, roles, expiry, escaped custom message and the stable Message-ID', async () => {
    const expiresAt = new Date('2031-03-04T05:06:07Z');
    const customMessage = 'Welcome aboard! <script>alert("x")</script> & <b>bold</b>\nSecond line';
    const queued = await queueInvitationEmail(t.dataSource, {
      organizationId: w.orgId,
      invitedBy: w.owner.userId,
      fullName: 'Ivy Invitee',
      roleIds: [w.roles.admin, w.roles.member],
      customMessage,
      expiresAt,
    });

    await t.app.get(OutboxWorker).drain();
    const [mail] = sink.withMessageId(queued.messageId);

    expect(mail).toBeDefined();
    expect(sink.withMessageId(queued.messageId)).toHaveLength(1);
    expect(mail.subject).toBe('Olivia Owner invited you to join Acme');
    expect(mail.from).toBe('Acme Invitations <invites@acme.test>');
    expect(mail.to).toBe(`Ivy Invitee <${queued.email}>`);
    expect(mail.recipients).toEqual([queued.email]);
    expect(mail.headers['auto-submitted']).toBe('auto-generated');

    const token = tokenOf(mail);
    expect(t.app.get(InvitationTokens).verify(token)).toEqual({
      invitationId: queued.invitationId,
      version: 1,
    });
    const link = t.app.get(InvitationTokens).link(queued.invitationId, 1);

    // Plain text: everything as typed, nothing escaped.
    expect(mail.text).toContain('Hi Ivy Invitee,');
    expect(mail.text).toContain('Olivia Owner invited you to join Acme as Admin and Member.');
    expect(mail.text).toContain(customMessage);
    expect(mail.text).toContain(link);
    expect(mail.text).toContain('The invitation expires on March 4, 2031 at 5:06 AM UTC.');

    // HTML: the custom message is text, never markup.
    const html = mail.html!;
    expect(html).toContain(
      'Welcome aboard! &lt;script&gt;alert("x")&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;',
    );
    expect(html).not.toMatch(/<script|<b>bold/i);
    expect(decodeEntities(html)).toContain(`href="${link}"`);
    expect(html).toContain('<strong>Olivia Owner</strong>');
    expect(html).toContain('<strong>Acme</strong> as Admin and Member.');
    expect(html).toContain('March 4, 2031 at 5:06 AM UTC');
    // The stylesheet was inlined for mail clients that drop <style>.
    expect(html).toMatch(/<a [^>]*style="[^"]*background: ?#0969da/);

    const state = await outboxState(t.dataSource, queued.outboxId);
    expect(state).toMatchObject({
      status: 'sent',
      attempts: 1,
      last_error: null,
      locked_until: null,
      email_status: 'sent',
      email_last_error: null,
    });
    expect(state.sent_at).toBeInstanceOf(Date);
  });

  it('falls back to the inviter email, and leaves out the greeting name, roles and message when there are none', async () => {
    const queued = await queueInvitationEmail(t.dataSource, {
      organizationId: w.orgId,
      invitedBy: w.admin.userId,
    });

    await t.app.get(OutboxWorker).drain();
    const [mail] = sink.withMessageId(queued.messageId);

    expect(mail.subject).toBe(`${w.admin.email} invited you to join Acme`);
    expect(mail.to).toBe(queued.email);
    expect(mail.text).toMatch(/^Hi,\n/);
    expect(mail.text).toContain(`${w.admin.email} invited you to join Acme.`);
    expect(mail.text).not.toContain('wrote:');
    expect(mail.html).not.toContain('class="message"');
  });

  it('strips CR/LF and other control characters from every header value, so no header can be injected', async () => {
    await t.dataSource.query(`UPDATE users SET full_name = $2 WHERE id = $1`, [
      w.member.userId,
      'Eve\r\nBcc: victim@evil.test\u0001\u0007',
    ]);
    const queued = await queueInvitationEmail(t.dataSource, {
      organizationId: w.orgId,
      invitedBy: w.member.userId,
      fullName: 'Bob\nX-Injected: yes\u2028',
    });

    await t.app.get(OutboxWorker).drain();
    const [mail] = sink.withMessageId(queued.messageId);

    expect(mail.subject).toBe('Eve Bcc: victim@evil.test invited you to join Acme');
    expect(mail.to).toBe(`"Bob X-Injected: yes" <${queued.email}>`);
    expect(mail.headerNames).not.toContain('bcc');
    expect(mail.headerNames).not.toContain('x-injected');
    expect(mail.recipients).toEqual([queued.email]);
    expect(mail.headerNames.filter((name) => name === 'subject')).toHaveLength(1);
  });

  it('sends names as typed: a name that looks like a template placeholder stays text, never the link', async () => {
    await t.dataSource.query(`UPDATE users SET full_name = $2 WHERE id = $1`, [
      w.member.userId,
      '{{link}} {{ expiresAt }}',
    ]);
    const queued = await queueInvitationEmail(t.dataSource, {
      organizationId: w.orgId,
      invitedBy: w.member.userId,
    });

    await t.app.get(OutboxWorker).drain();
    const [mail] = sink.withMessageId(queued.messageId);

    expect(mail.subject).toBe('{{link}} {{ expiresAt }} invited you to join Acme');
    expect(mail.text).toContain('{{link}} {{ expiresAt }} invited you to join Acme.');
  });

  it('retries a temporary SMTP failure with backoff and then records the message as sent', async () => {
    const queued = await queueInvitationEmail(t.dataSource, {
      organizationId: w.orgId,
      invitedBy: w.owner.userId,
      email: `fail-twice-${Date.now()}@example.test`,
    });

    const state = await eventually(async () => {
      const s = await outboxState(t.dataSource, queued.outboxId);
      return s.status === 'sent' && s;
    });

    expect(state).toMatchObject({
      status: 'sent',
      attempts: 3,
      last_error: null,
      email_status: 'sent',
      email_last_error: null,
    });
    expect(sink.attemptsByMessageId.get(queued.messageId)).toBe(3);
    expect(sink.withMessageId(queued.messageId)).toHaveLength(1);
  });

  it('gives up after MAIL_MAX_ATTEMPTS and records failed with the last SMTP error on the invitation', async () => {
    const queued = await queueInvitationEmail(t.dataSource, {
      organizationId: w.orgId,
      invitedBy: w.owner.userId,
      email: `always-fail-${Date.now()}@example.test`,
    });

    const state = await eventually(async () => {
      const s = await outboxState(t.dataSource, queued.outboxId);
      return s.status === 'failed' && s;
    });
    // A few more poll rounds: a failed row is never picked up again.
    await new Promise((r) => setTimeout(r, 300));

    expect(state).toMatchObject({
      status: 'failed',
      attempts: 3,
      email_status: 'failed',
      locked_until: null,
    });
    expect(state.last_error).toMatch(/^EMESSAGE: 451: .*451 4\.3\.0 mailbox busy, try later$/);
    expect(state.email_last_error).toBe(state.last_error);
    expect(sink.attemptsByMessageId.get(queued.messageId)).toBe(3);
    expect(sink.withMessageId(queued.messageId)).toHaveLength(0);
  });

  it('sends nothing for a version that a resend replaced, or for a revoked or expired invitation, and marks those rows superseded', async () => {
    const resent = await queueInvitationEmail(t.dataSource, {
      organizationId: w.orgId,
      invitedBy: w.owner.userId,
      version: 1,
      invitationVersion: 2,
    });
    const revoked = await queueInvitationEmail(t.dataSource, {
      organizationId: w.orgId,
      invitedBy: w.owner.userId,
      invitationStatus: 'revoked',
    });
    const expired = await queueInvitationEmail(t.dataSource, {
      organizationId: w.orgId,
      invitedBy: w.owner.userId,
      expiresAt: new Date(Date.now() - 1000),
    });

    await t.app.get(OutboxWorker).drain();

    for (const queued of [resent, revoked, expired]) {
      expect(sink.attemptsByMessageId.get(queued.messageId)).toBeUndefined();
      expect(await outboxState(t.dataSource, queued.outboxId)).toMatchObject({
        status: 'superseded',
        attempts: 1,
        email_status: 'queued',
      });
    }
  });
});

describe('mail: shutdown', () => {
  it('finishes the send in flight on close and claims nothing afterwards', async () => {
    const sink = await SmtpSink.start({ replyDelayMs: 700 });
    const t = await createTestApp({ SMTP_URL: sink.url, ...FAST_WORKER });
    const db = new Client({ connectionString: t.config.databaseUrl });
    let closed = false;
    try {
      const w = await createWorld(t);
      const inFlight = await queueInvitationEmail(t.dataSource, {
        organizationId: w.orgId,
        invitedBy: w.owner.userId,
      });
      await eventually(async () => sink.dataStarted > 0, 10_000, 'the send to start');

      await t.close();
      closed = true;

      expect(sink.withMessageId(inFlight.messageId)).toHaveLength(1);
      await db.connect();
      const [row] = (
        await db.query(`SELECT status, attempts FROM email_outbox WHERE id = $1`, [inFlight.outboxId])
      ).rows;
      expect(row).toEqual({ status: 'sent', attempts: 1 });

      // Written after the close: no worker of that app may touch it.
      await db.query(
        `INSERT INTO email_outbox (invitation_id, invitation_version, message_id) VALUES ($1, 2, '<late@x>')`,
        [inFlight.invitationId],
      );
      await new Promise((r) => setTimeout(r, 300));
      const [late] = (
        await db.query(`SELECT status, attempts FROM email_outbox WHERE message_id = '<late@x>'`)
      ).rows;
      expect(late).toEqual({ status: 'queued', attempts: 0 });
    } finally {
      if (!closed) await t.close();
      await db.end();
      await sink.close();
    }
  });
});

describe('mail: retry backoff', () => {
  /** Long enough that a missing or flat backoff cannot hide inside the time one round takes. */
  const BASE_MS = 10_000;

  it('schedules each retry base · 2^(attempt−1) later (plus at most 10% jitter), then gives up', async () => {
    const sink = await SmtpSink.start({ reject: () => '451 4.3.0 try later' });
    const t = await createTestApp({
      SMTP_URL: sink.url,
      MAIL_WORKER_ENABLED: 'true',
      MAIL_POLL_INTERVAL_MS: '50',
      MAIL_RETRY_BASE_MS: String(BASE_MS),
      MAIL_MAX_ATTEMPTS: '4',
    });
    try {
      const w = await createWorld(t);
      let dueFrom = Date.now();
      const queued = await queueInvitationEmail(t.dataSource, {
        organizationId: w.orgId,
        invitedBy: w.owner.userId,
      });
      for (let attempt = 1; attempt <= 3; attempt++) {
        const failed = await eventually(async () => {
          const s = await outboxState(t.dataSource, queued.outboxId);
          return s.attempts === attempt && s.locked_until === null && s.last_error !== null && s;
        });
        const seenAt = Date.now();
        // The attempt failed between dueFrom and seenAt, so its delay lies within these bounds.
        const delay = BASE_MS * 2 ** (attempt - 1);
        const next = failed.next_attempt_at.getTime();
        expect({ attempt, status: failed.status, atLeast: next - dueFrom >= delay }).toEqual({
          attempt,
          status: 'queued',
          atLeast: true,
        });
        expect({ attempt, atMost: next - seenAt <= delay * 1.1 }).toEqual({ attempt, atMost: true });
        // Let the retry fall due now instead of waiting it out.
        dueFrom = Date.now();
        await t.dataSource.query(`UPDATE email_outbox SET next_attempt_at = now() WHERE id = $1`, [
          queued.outboxId,
        ]);
      }
      const given = await eventually(async () => {
        const s = await outboxState(t.dataSource, queued.outboxId);
        return s.status === 'failed' && s;
      });
      expect(given).toMatchObject({ attempts: 4, email_status: 'failed' });
      expect(sink.attemptsByMessageId.get(queued.messageId)).toBe(4);
    } finally {
      await t.close();
      await sink.close();
    }
  });
});
