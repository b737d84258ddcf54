import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JobQueue } from '../src/jobs/job-queue.js';
import { JobRunner } from '../src/jobs/job-runner.js';
import { Sweeper, SWEEP_TASK } from '../src/sweeper/sweeper.js';
import { auth, createWorld, World } from './support/fixtures.js';
import { queueInvitationEmail } from './support/outbox-fixtures.js';
import { createTestApp, TestApp } from './support/test-app.js';

const EXPIRED = 620; // more than one batch (500)

describe('sweeper: two app instances on one database', () => {
  let a: TestApp;
  let b: TestApp;
  let w: World;

  beforeAll(async () => {
    a = await createTestApp();
    b = await createTestApp({ DATABASE_URL: a.config.databaseUrl });
    w = await createWorld(a);
  }, 60_000);
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  const invite = (expiresAt: Date, invitationStatus?: 'revoked') =>
    queueInvitationEmail(a.dataSource, {
      organizationId: w.orgId,
      invitedBy: w.owner.userId,
      expiresAt,
      invitationStatus,
    });

  it('settles every expired pending invitation exactly once, with one invitation.expired each', async () => {
    const past = new Date(Date.now() - 60_000);
    const expired = [];
    for (let i = 0; i < EXPIRED; i++) expired.push(await invite(past));
    const current = await invite(new Date(Date.now() + 86_400_000));
    const revoked = await invite(past, 'revoked');

    // Four sweeps at once, two per instance: they split the rows, none is settled twice.
    const results = await Promise.all([a, b, a, b].map((t) => t.app.get(Sweeper).run()));
    expect(results.reduce((sum, r) => sum + r.expired, 0)).toBe(EXPIRED);

    const events: { subject_id: string; n: string; actor_type: string }[] = await a.dataSource.query(
      `SELECT subject_id, actor_type, count(*) AS n FROM events
        WHERE type = 'invitation.expired' AND organization_id = $1 GROUP BY 1, 2`,
      [w.orgId],
    );
    expect(events).toHaveLength(EXPIRED);
    expect(events.filter((e) => e.n !== '1' || e.actor_type !== 'system')).toEqual([]);
    expect(new Set(events.map((e) => e.subject_id))).toEqual(new Set(expired.map((q) => q.invitationId)));

    const statuses: { status: string; n: string }[] = await a.dataSource.query(
      `SELECT status, count(*) AS n FROM invitations WHERE organization_id = $1 AND id = ANY($2) GROUP BY 1`,
      [w.orgId, [...expired, current, revoked].map((q) => q.invitationId)],
    );
    expect(Object.fromEntries(statuses.map((s) => [s.status, Number(s.n)]))).toEqual({
      expired: EXPIRED,
      pending: 1,
      revoked: 1,
    });

    // The event carries the invitation after the change, and no link.
    const [event]: { data: Record<string, unknown> }[] = await a.dataSource.query(
      `SELECT data FROM events WHERE type = 'invitation.expired' AND subject_id = $1`,
      [expired[0].invitationId],
    );
    expect(event.data).toMatchObject({ invitation_id: expired[0].invitationId, status: 'expired' });
    expect(JSON.stringify(event.data)).not.toMatch(/invite=|invitation_link/);

    // Nothing is left to settle: another round appends nothing.
    const again = await Promise.all([a, b].map((t) => t.app.get(Sweeper).run()));
    expect(again.map((r) => r.expired)).toEqual([0, 0]);
    const [{ n }]: { n: string }[] = await a.dataSource.query(
      `SELECT count(*) AS n FROM events WHERE type = 'invitation.expired' AND organization_id = $1`,
      [w.orgId],
    );
    expect(Number(n)).toBe(EXPIRED);
  }, 120_000);

  it('prunes Idempotency-Key records older than 24 h, and events and finished deliveries older than EVENT_RETENTION_DAYS', async () => {
    await a.dataSource.query(
      `INSERT INTO idempotency_records (scope, key, fingerprint, status, created_at) VALUES
         ('sweeper-test', 'old', repeat('0', 64), 201, now() - interval '25 hours'),
         ('sweeper-test', 'fresh', repeat('0', 64), 201, now() - interval '23 hours')`,
    );
    await a.dataSource.query(
      `INSERT INTO events (id, organization_id, type, actor_type, subject_type, subject_id, data, created_at) VALUES
         ('evt_sweepold', $1, 'organization.updated', 'system', 'organization', $1, '{}', now() - interval '366 days'),
         ('evt_sweepnew', $1, 'organization.updated', 'system', 'organization', $1, '{}', now() - interval '364 days')`,
      [w.orgId],
    );

    // A finished delivery as old as the old event goes with it; a pending one of that age stays.
    const endpoint = await a
      .http()
      .post(`/v1/organizations/${w.orgId}/webhook-endpoints`)
      .set(auth(w.owner))
      .send({ url: 'https://hooks.example.com/' });
    expect(endpoint.status).toBe(201);
    const test = await a
      .http()
      .post(`/v1/organizations/${w.orgId}/webhook-endpoints/${endpoint.body.id}/test`)
      .set(auth(w.owner));
    expect(test.status).toBe(202);
    const deliveries: { id: string }[] = await a.dataSource
      .query(
        `UPDATE webhook_deliveries SET created_at = now() - interval '366 days' WHERE endpoint_id = $1 RETURNING id`,
        [endpoint.body.id],
      )
      .then(([rows]: [{ id: string }[]]) => rows);
    expect(deliveries).toHaveLength(2);
    await a.dataSource.query(`UPDATE webhook_deliveries SET status = 'succeeded' WHERE id = $1`, [
      deliveries[0].id,
    ]);

    const result = await b.app.get(Sweeper).run();
    const left: { id: string }[] = await a.dataSource.query(
      'SELECT id FROM webhook_deliveries WHERE endpoint_id = $1',
      [endpoint.body.id],
    );
    expect(left.map((d) => d.id)).toEqual([deliveries[1].id]);
    expect(result).toMatchObject({ idempotencyRecords: 1, events: 1 });
    const keys: { key: string }[] = await a.dataSource.query(
      `SELECT key FROM idempotency_records WHERE scope = 'sweeper-test'`,
    );
    expect(keys.map((k) => k.key)).toEqual(['fresh']);
    const events: { id: string }[] = await a.dataSource.query(
      `SELECT id FROM events WHERE id IN ('evt_sweepold', 'evt_sweepnew')`,
    );
    expect(events.map((e) => e.id)).toEqual(['evt_sweepnew']);
  });

  it('runs as the keyed `sweep` job of the queue', async () => {
    const late = await invite(new Date(Date.now() - 1_000));
    // What the crontab's tick adds (one job under one key, however many instances tick).
    for (const t of [a, b])
      await t.app.get(JobQueue).add(t.dataSource.manager, SWEEP_TASK, {}, { jobKey: SWEEP_TASK });
    await Promise.all([a, b].map((t) => t.app.get(JobRunner).runOnce()));
    const events: { n: string }[] = await a.dataSource.query(
      `SELECT count(*) AS n FROM events WHERE type = 'invitation.expired' AND subject_id = $1`,
      [late.invitationId],
    );
    expect(events).toEqual([{ n: '1' }]);
  });
});
