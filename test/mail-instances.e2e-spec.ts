import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from 'pg';
import { OutboxRepository } from '../src/outbox/outbox.repository.js';
import { createTestDatabase } from './support/database.js';
import { createWorld, uniqueEmail, World } from './support/fixtures.js';
import { eventually, queueInvitationEmail, QueuedInvitation } from './support/outbox-fixtures.js';
import { SmtpSink } from './support/smtp-sink.js';
import { createTestApp, TestApp } from './support/test-app.js';

const MESSAGES = 60;

async function queueMany(
  t: TestApp,
  w: World,
  count: number,
  options: { dueAt?: Date; emailPrefix?: string } = {},
): Promise<QueuedInvitation[]> {
  const queued: QueuedInvitation[] = [];
  for (let i = 0; i < count; i++)
    queued.push(
      await queueInvitationEmail(t.dataSource, {
        organizationId: w.orgId,
        invitedBy: w.owner.userId,
        dueAt: options.dueAt,
        email: options.emailPrefix && uniqueEmail(options.emailPrefix),
      }),
    );
  return queued;
}

describe('mail: two app instances on one database', () => {
  let sink: SmtpSink;
  let a: TestApp;
  let b: TestApp;
  let w: World;
  const senders = ['instance-a@acme.test', 'instance-b@acme.test'];

  beforeAll(async () => {
    // A slow server that refuses the first attempt of "greylisted-…" recipients (so those are retried
    // as well) and holds every reply until both instances are sending at once.
    sink = await SmtpSink.start({
      reject: (message, attempt) =>
        attempt === 1 && message.to.includes('greylisted-') ? '451 4.7.1 greylisted, try again' : undefined,
      replyDelayMs: 100,
      holdRepliesUntil: (s) => senders.every((from) => s.dataStartedFrom.includes(from)),
    });
    const worker = {
      SMTP_URL: sink.url,
      MAIL_WORKER_ENABLED: 'true',
      MAIL_POLL_INTERVAL_MS: '20',
      MAIL_RETRY_BASE_MS: '50',
    };
    // Each instance names its connections, so the test can see when each one's worker is claiming.
    const url = await createTestDatabase();
    const named = (name: string) => `${url}${url.includes('?') ? '&' : '?'}application_name=${name}`;
    a = await createTestApp({ ...worker, MAIL_FROM: senders[0], DATABASE_URL: named('oi-instance-a') });
    b = await createTestApp({ ...worker, MAIL_FROM: senders[1], DATABASE_URL: named('oi-instance-b') });
    w = await createWorld(a);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await sink.close();
  });

  /** Whether each instance has a statement on the outbox that started after `since` (its worker claiming). */
  async function bothClaimedSince(admin: Client, since: Date): Promise<boolean> {
    const { rows } = await admin.query(
      `SELECT count(DISTINCT application_name)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND application_name IN ('oi-instance-a', 'oi-instance-b')
          AND query ILIKE '%email_outbox%' AND query_start > $1`,
      [since],
    );
    return rows[0].n === 2;
  }

  it(`delivers each of ${MESSAGES} messages exactly once while both workers claim the same rows at once and retry refusals`, async () => {
    // Queued, but not due yet: neither worker touches them.
    const later = { dueAt: new Date(Date.now() + 3_600_000) };
    const plain = await queueMany(a, w, MESSAGES / 2, later);
    const greylisted = await queueMany(a, w, MESSAGES / 2, { ...later, emailPrefix: 'greylisted' });
    const queued = [...plain, ...greylisted];

    // Due in a moment, and by then held by another transaction (as a third claimer would hold them):
    // both workers' claims meet the same locked rows, and must pass over them, not wait and take them
    // too. The hold ends once each worker has begun a claim after the rows fell due.
    const gate = new Client({ connectionString: a.config.databaseUrl });
    const admin = new Client({ connectionString: a.config.databaseUrl });
    await gate.connect();
    await admin.connect();
    try {
      const [{ due }] = (
        await gate.query(
          // The plain ones first: a refused first attempt would hide a second claim of the same row
          // (the second send would look like the retry).
          `WITH due AS (
             UPDATE email_outbox o SET next_attempt_at = now() + interval '3 seconds'
                    + CASE WHEN i.email LIKE 'greylisted-%' THEN interval '1 millisecond' ELSE interval '0' END
               FROM invitations i WHERE i.id = o.invitation_id
             RETURNING o.next_attempt_at)
           SELECT min(next_attempt_at) AS due FROM due`,
        )
      ).rows;
      await gate.query('BEGIN');
      await gate.query(`SELECT id FROM email_outbox WHERE status = 'queued' FOR UPDATE`);
      await eventually(
        async () => bothClaimedSince(admin, due),
        30_000,
        'both workers to claim the due rows',
      );
      await gate.query('COMMIT');
    } finally {
      await gate.end();
      await admin.end();
    }

    await sink.waitForMessages(MESSAGES, 60_000);
    // More poll rounds on both instances: nothing may arrive a second time.
    await new Promise((r) => setTimeout(r, 500));

    const accepted = new Map<string, number>();
    for (const mail of sink.messages) accepted.set(mail.messageId, (accepted.get(mail.messageId) ?? 0) + 1);
    expect(sink.messages).toHaveLength(MESSAGES);
    expect(queued.filter((q) => accepted.get(q.messageId) !== 1)).toEqual([]);
    // SMTP attempts: the delivery, after one refusal for the greylisted; never a parallel duplicate.
    expect(plain.filter((q) => sink.attemptsByMessageId.get(q.messageId) !== 1)).toEqual([]);
    expect(greylisted.filter((q) => sink.attemptsByMessageId.get(q.messageId) !== 2)).toEqual([]);
    // Both instances took part (the server held its replies until they were sending together).
    expect(new Set(sink.messages.map((m) => m.from))).toEqual(new Set(senders));

    const rows: { status: string; attempts: number; email_status: string; n: string }[] =
      await a.dataSource.query(
        `SELECT o.status, o.attempts, i.email_status, count(*) AS n FROM email_outbox o JOIN invitations i ON i.id = o.invitation_id
        GROUP BY 1, 2, 3`,
      );
    expect(rows.sort((x, y) => x.attempts - y.attempts)).toEqual([
      { status: 'sent', attempts: 1, email_status: 'sent', n: String(MESSAGES / 2) },
      { status: 'sent', attempts: 2, email_status: 'sent', n: String(MESSAGES / 2) },
    ]);
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
