import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OutboxRepository } from '../src/mail/outbox.repository.js';
import { createWorld, World } from './support/fixtures.js';
import { eventually, queueInvitationEmail, QueuedInvitation } from './support/outbox-fixtures.js';
import { SmtpSink } from './support/smtp-sink.js';
import { createTestApp, TestApp } from './support/test-app.js';

const MESSAGES = 60;

async function queueMany(t: TestApp, w: World, count: number): Promise<QueuedInvitation[]> {
  const queued: QueuedInvitation[] = [];
  for (let i = 0; i < count; i++)
    queued.push(
      await queueInvitationEmail(t.dataSource, { organizationId: w.orgId, invitedBy: w.owner.userId }),
    );
  return queued;
}

describe('mail: two app instances on one database', () => {
  let sink: SmtpSink;
  let a: TestApp;
  let b: TestApp;
  let w: World;

  beforeAll(async () => {
    // Every message's first attempt is refused, so each one goes through a retry as well.
    sink = await SmtpSink.start({
      reject: (_message, attempt) => (attempt === 1 ? '451 4.7.1 greylisted, try again' : undefined),
    });
    const worker = {
      SMTP_URL: sink.url,
      MAIL_WORKER_ENABLED: 'true',
      MAIL_POLL_INTERVAL_MS: '50',
      MAIL_RETRY_BASE_MS: '50',
    };
    a = await createTestApp({ ...worker, MAIL_FROM: 'instance-a@acme.test' });
    b = await createTestApp({
      ...worker,
      MAIL_FROM: 'instance-b@acme.test',
      DATABASE_URL: a.config.databaseUrl,
    });
    w = await createWorld(a);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await sink.close();
  });

  it(`delivers each of ${MESSAGES} messages exactly once while both workers poll the outbox and retry refusals`, async () => {
    const queued = await queueMany(a, w, MESSAGES);

    await sink.waitForMessages(MESSAGES, 60_000);
    // More poll rounds on both instances: nothing may arrive a second time.
    await new Promise((r) => setTimeout(r, 500));

    const accepted = new Map<string, number>();
    for (const mail of sink.messages) accepted.set(mail.messageId, (accepted.get(mail.messageId) ?? 0) + 1);
    expect(sink.messages).toHaveLength(MESSAGES);
    expect(queued.every((q) => accepted.get(q.messageId) === 1)).toBe(true);
    // Exactly two SMTP attempts per message: the refusal and the delivery, never a parallel duplicate.
    expect(queued.every((q) => sink.attemptsByMessageId.get(q.messageId) === 2)).toBe(true);
    // Both instances took part.
    expect(new Set(sink.messages.map((m) => m.from))).toEqual(
      new Set(['instance-a@acme.test', 'instance-b@acme.test']),
    );

    const rows: { status: string; attempts: number; email_status: string; n: string }[] =
      await a.dataSource.query(
        `SELECT o.status, o.attempts, i.email_status, count(*) AS n FROM email_outbox o JOIN invitations i ON i.id = o.invitation_id
        GROUP BY 1, 2, 3`,
      );
    expect(rows).toEqual([{ status: 'sent', attempts: 2, email_status: 'sent', n: String(MESSAGES) }]);
  }, 120_000);
});

describe('mail: concurrent claims', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await createTestApp();
    b = await createTestApp({ DATABASE_URL: a.config.databaseUrl });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('hands every due row to exactly one of many simultaneous claimers across two instances', async () => {
    const w = await createWorld(a);
    const queued = await queueMany(a, w, 100);
    const claimers = [a, b].flatMap((t) => Array.from({ length: 10 }, () => t.app.get(OutboxRepository)));

    const batches = await Promise.all(claimers.map((outbox) => outbox.claimDue(7, 60_000)));
    const claimedIds = batches.flat().map((row) => row.id);

    expect(claimedIds).toHaveLength(100);
    expect(new Set(claimedIds).size).toBe(100);
    expect(new Set(claimedIds)).toEqual(new Set(queued.map((q) => q.outboxId)));
    // Leased: nothing is due again until the lease runs out.
    expect(await a.app.get(OutboxRepository).claimDue(100, 60_000)).toEqual([]);

    // A lease that ran out (a crashed worker) makes the row due again, with the attempt counted.
    await a.dataSource.query(
      `UPDATE email_outbox SET locked_until = now() - interval '1 second' WHERE id = $1`,
      [queued[0].outboxId],
    );
    const reclaimed = await eventually(async () => {
      const rows = await b.app.get(OutboxRepository).claimDue(100, 60_000);
      return rows.length > 0 && rows;
    });
    expect(reclaimed).toEqual([expect.objectContaining({ id: queued[0].outboxId, attempts: 2 })]);
  });
});
