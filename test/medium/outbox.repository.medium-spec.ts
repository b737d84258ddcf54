import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runMigrations } from 'graphile-worker';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { newId } from '../../src/common/ids/ids.js';
import { AppConfig } from '../../src/config/app-config.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { Db } from '../../src/database/transactions.js';
import { SYSTEM_ACTOR } from '../../src/events/actor.js';
import { EventLog } from '../../src/events/event-log.js';
import { InvitationRepository } from '../../src/invitations/invitation.repository.js';
import { JobQueue } from '../../src/jobs/job-queue.js';
import { EmailOutcomes } from '../../src/mail/email-outcomes.js';
import { emailJobKey, OutboxRepository } from '../../src/outbox/outbox.repository.js';
import { UsersRepository } from '../../src/users/users.repository.js';
import { createTestDatabase } from '../support/database.js';

/**
 * The email outbox against the real PostgreSQL and graphile-worker's schema: each row is claimed by
 * one worker. A send's outcome goes through mail/'s EmailOutcomes, which also records it on the invitation.
 */
describe('OutboxRepository (real PostgreSQL)', () => {
  let dataSource: DataSource;
  let db: Db;
  let invitations: InvitationRepository;
  let outbox: OutboxRepository;
  let outcomes: EmailOutcomes;
  let orgId: string;
  let url: string;

  beforeAll(async () => {
    url = await createTestDatabase();
    // The queue's schema, so the outbox trigger adds each queued row's job (as in production).
    await runMigrations({ connectionString: url, logger: undefined });
    dataSource = new DataSource(dataSourceOptions(url));
    await dataSource.initialize();
    db = new Db(dataSource);
    invitations = new InvitationRepository(db);
    outbox = new OutboxRepository(dataSource, new JobQueue(), {
      publicAppUrl: 'https://app.example.test',
    } as AppConfig);
    outcomes = new EmailOutcomes(dataSource, outbox, invitations);
    orgId = newId('org');
    await dataSource.query(`INSERT INTO organizations (id, name, slug) VALUES ($1, 'Mail Org', $2)`, [
      orgId,
      `mail-${Date.now().toString(36)}`,
    ]);
  });
  afterAll(() => dataSource.destroy());

  let seq = 0;
  const invitation = async () => {
    const id = newId('inv');
    const email = `mail-${++seq}@example.test`;
    await db.transaction(() =>
      new UsersRepository(db).upsertPendingInvitee(
        { organizationId: orgId, email, fullName: null, invitationId: id, roleIds: [], departmentIds: [] },
        invitations.newInvitationPart({
          id,
          email,
          fullName: null,
          roleIds: [],
          departmentIds: [],
          customMessage: null,
          invitedBy: null,
          emailStatus: 'queued',
          expiresInDays: 7,
        }),
      ),
    );
    return id;
  };
  const rowsOf = (invitationId: string) =>
    dataSource.query(
      'SELECT id::text, invitation_version, status, attempts, message_id FROM email_outbox WHERE invitation_id = $1 ORDER BY invitation_version',
      [invitationId],
    );
  const jobCount = async (outboxId: string) =>
    Number(
      (
        await dataSource.query(`SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE key = $1`, [
          emailJobKey(outboxId),
        ])
      )[0].n,
    );

  it('enqueue adds one row per version with its job, superseding older queued versions; repeating it adds nothing', async () => {
    const id = await invitation();
    await outbox.enqueue(dataSource.manager, id, 1);
    await outbox.enqueue(dataSource.manager, id, 1);
    const [first] = await rowsOf(id);
    expect(await rowsOf(id)).toEqual([
      expect.objectContaining({
        invitation_version: 1,
        status: 'queued',
        message_id: `<${id}.v1@app.example.test>`,
      }),
    ]);
    expect(await jobCount(first.id)).toBe(1);
    await outbox.enqueue(dataSource.manager, id, 2);
    expect((await rowsOf(id)).map((r: { status: string }) => r.status)).toEqual(['superseded', 'queued']);
    await outbox.cancel(dataSource.manager, id);
    expect((await rowsOf(id)).map((r: { status: string }) => r.status)).toEqual(['superseded', 'superseded']);
  });

  it("queues a created invitation's email in its event's own statement; an append with none wakes no worker", async () => {
    const log = new EventLog();
    log.subscribeWriting({ write: outbox.createdInvitationEmailsWrite() });
    const [queued, notRequested] = [await invitation(), await invitation()];
    const created = (id: string, emailStatus: string) => ({
      type: 'invitation.created' as const,
      organizationId: orgId,
      actor: SYSTEM_ACTOR,
      subjectId: id,
      data: { invitation_id: id, email_status: emailStatus },
    });
    // What every worker hears: graphile-worker's new-job notifications, delivered in commit order.
    const listener = new pg.Client({ connectionString: url });
    await listener.connect();
    try {
      const heard: string[] = [];
      const queuedHeard = new Promise<void>((resolve) =>
        listener.on('notification', (message) => {
          heard.push(message.payload ?? '');
          if (message.payload?.includes('"count":1')) resolve();
        }),
      );
      await listener.query('LISTEN "jobs:insert"');
      await dataSource.transaction((manager) =>
        log.appendAll(manager, [
          created(notRequested, 'not_requested'),
          {
            type: 'member.updated',
            organizationId: orgId,
            actor: SYSTEM_ACTOR,
            subjectId: 'usr_x',
            data: {},
          },
        ]),
      );
      expect(await rowsOf(notRequested)).toEqual([]);
      await dataSource.transaction((manager) => log.appendAll(manager, [created(queued, 'queued')]));
      await queuedHeard;
      // The first append's notification, had there been one, would have come first.
      expect(heard).toHaveLength(1);
    } finally {
      await listener.end();
    }
    const rows = await rowsOf(queued);
    expect(rows).toEqual([
      expect.objectContaining({
        invitation_version: 1,
        status: 'queued',
        message_id: outbox.messageId(queued, 1),
      }),
    ]);
    expect(await jobCount(rows[0].id)).toBe(1);
  });

  it('of two concurrent claims of one row exactly one wins, and a claimed row is not claimed again while leased', async () => {
    const id = await invitation();
    await outbox.enqueue(dataSource.manager, id, 1);
    const [{ id: outboxId }] = await rowsOf(id);
    const claims = await Promise.all([outbox.claim(outboxId, 60_000), outbox.claim(outboxId, 60_000)]);
    const won = claims.filter((c) => c !== undefined);
    expect(won).toEqual([
      {
        id: outboxId,
        invitationId: id,
        invitationVersion: 1,
        verificationCodeId: null,
        attempts: 1,
        messageId: `<${id}.v1@app.example.test>`,
      },
    ]);
    expect(await outbox.claim(outboxId, 60_000)).toBeUndefined();
    await outcomes.markSent(won[0]!);
    expect((await rowsOf(id))[0].status).toBe('sent');
    expect(
      (await dataSource.query('SELECT email_status FROM invitations WHERE id = $1', [id]))[0].email_status,
    ).toBe('sent');
  });

  it('concurrent claimDue calls take disjoint rows, every due row exactly once', async () => {
    await dataSource.query(`UPDATE email_outbox SET status = 'superseded' WHERE status = 'queued'`);
    const ids = await Promise.all([1, 2, 3, 4, 5, 6].map(() => invitation()));
    for (const id of ids) await outbox.enqueue(dataSource.manager, id, 1);
    const batches = await Promise.all([
      outbox.claimDue(4, 60_000),
      outbox.claimDue(4, 60_000),
      outbox.claimDue(4, 60_000),
    ]);
    const claimed = batches.flat().map((c) => c.invitationId);
    expect(claimed.sort()).toEqual([...ids].sort());
    expect(await outbox.claimDue(10, 60_000)).toEqual([]);
  });

  it('a failed attempt is retried with a new job until maxAttempts, then given up on the row and the invitation', async () => {
    const id = await invitation();
    await outbox.enqueue(dataSource.manager, id, 1);
    const [{ id: outboxId }] = await rowsOf(id);
    const first = (await outbox.claim(outboxId, 60_000))!;
    expect(await outcomes.markAttemptFailed(first, 'smtp 451', 0, 2)).toBe('queued');
    expect(await jobCount(outboxId)).toBe(1);
    const inv = async () =>
      (
        await dataSource.query('SELECT email_status, email_last_error FROM invitations WHERE id = $1', [id])
      )[0];
    expect(await inv()).toEqual({ email_status: 'queued', email_last_error: 'smtp 451' });
    const second = (await outbox.claim(outboxId, 60_000))!;
    expect(second.attempts).toBe(2);
    expect(await outcomes.markAttemptFailed(second, 'smtp 550', 0, 2)).toBe('failed');
    expect(await inv()).toEqual({ email_status: 'failed', email_last_error: 'smtp 550' });
    expect((await rowsOf(id))[0]).toMatchObject({ status: 'failed', attempts: 2 });
    // No longer queued: nothing changes.
    expect(await outcomes.markAttemptFailed(second, 'late', 0, 2)).toBeUndefined();
  });

  it('markSuperseded only touches a queued row; addJobsForDue re-adds the job of a due row that lost it', async () => {
    const id = await invitation();
    await outbox.enqueue(dataSource.manager, id, 1);
    const [{ id: outboxId }] = await rowsOf(id);
    await dataSource.query(`SELECT graphile_worker.remove_job($1)`, [emailJobKey(outboxId)]);
    expect(await jobCount(outboxId)).toBe(0);
    expect(await outbox.addJobsForDue(100)).toBeGreaterThanOrEqual(1);
    expect(await jobCount(outboxId)).toBe(1);
    const claimed = (await outbox.claim(outboxId, 60_000))!;
    await outbox.markSuperseded(claimed);
    expect((await rowsOf(id))[0].status).toBe('superseded');
    await dataSource.query(`UPDATE email_outbox SET status = 'sent' WHERE id = $1`, [outboxId]);
    await outbox.markSuperseded(claimed);
    expect((await rowsOf(id))[0].status).toBe('sent');
  });

  it('enqueueCode queues one email per code and supersedes the queued email of an older code', async () => {
    const email = `code-${++seq}@example.test`;
    const { userIds } = await db.transaction(() =>
      new UsersRepository(db).upsertInvitees([
        { userId: newId('usr'), email, fullName: null, invitationId: newId('inv') },
      ]),
    );
    const userId = userIds.get(email)!;
    const first = newId('evc');
    const second = newId('evc');
    await outbox.enqueueCode(dataSource.manager, userId, first);
    await outbox.enqueueCode(dataSource.manager, userId, second);
    const rows: { verification_code_id: string; status: string; message_id: string }[] =
      await dataSource.query(
        'SELECT verification_code_id, status, message_id FROM email_outbox WHERE user_id = $1 ORDER BY id',
        [userId],
      );
    expect(rows).toEqual([
      { verification_code_id: first, status: 'superseded', message_id: `<${first}@app.example.test>` },
      { verification_code_id: second, status: 'queued', message_id: `<${second}@app.example.test>` },
    ]);
    const [{ id: outboxId }] = await dataSource.query(
      'SELECT id::text FROM email_outbox WHERE verification_code_id = $1',
      [second],
    );
    expect(await jobCount(outboxId)).toBe(1);
  });
});
