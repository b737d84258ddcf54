import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EmailOutcomes } from '../src/mail/email-outcomes.js';
import { ClaimedEmail, OutboxRepository } from '../src/outbox/outbox.repository.js';
import { auth, createWorld, uniqueEmail, World } from './support/fixtures.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * The worker records an outcome while a resend (or revoke, or accept) changes the same invitation.
 * Those take the invitation's row first and its outbox rows second; the worker must lock in the
 * same order, or the two deadlock and the resend answers 500 (seen under load in the suite).
 */
describe('outbox outcomes and invitation changes lock in one order', () => {
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    t = await createTestApp();
    w = await createWorld(t);
  });
  afterAll(() => t.close());

  async function claimedEmail(): Promise<ClaimedEmail> {
    const res = await t
      .http()
      .post(`/v1/organizations/${w.orgId}/invitations`)
      .set(auth(w.owner))
      .send({ email: uniqueEmail('locks'), send_invitation: true });
    expect(res.status).toBe(201);
    const claimed = (await t.app.get(OutboxRepository).claimDue(100, 60_000)).filter(
      (e) => e.invitationId === res.body.invitation_id,
    );
    expect(claimed).toHaveLength(1);
    return claimed[0];
  }

  async function waitForLockWaiter(): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const [{ n }]: { n: string }[] = await t.dataSource.query(
        `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      if (Number(n) >= 1) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('the worker never waited for the invitation row');
  }

  /** What a resend does, in its order: the invitation row, then the invitation's queued outbox rows. */
  async function whileResending(email: ClaimedEmail, record: () => Promise<unknown>): Promise<void> {
    const resend = t.dataSource.createQueryRunner();
    await resend.connect();
    await resend.startTransaction();
    try {
      await resend.query(`UPDATE invitations SET version = version + 1, updated_at = now() WHERE id = $1`, [
        email.invitationId,
      ]);
      const recorded = record();
      await waitForLockWaiter();
      await resend.query(
        `UPDATE email_outbox SET status = 'superseded' WHERE invitation_id = $1 AND status = 'queued'`,
        [email.invitationId],
      );
      await resend.commitTransaction();
      await recorded;
    } finally {
      if (resend.isTransactionActive) await resend.rollbackTransaction();
      await resend.release();
    }
  }

  it('records a sent email while a resend is under way, without a deadlock', async () => {
    const email = await claimedEmail();
    await whileResending(email, () => t.app.get(EmailOutcomes).markSent(email));
    const [row] = await t.dataSource.query('SELECT status FROM email_outbox WHERE id = $1', [email.id]);
    // It was sent: the row says so, even though the resend superseded it meanwhile.
    expect(row.status).toBe('sent');
  });

  it('records a failed attempt while a resend is under way, without a deadlock', async () => {
    const email = await claimedEmail();
    await whileResending(email, () => t.app.get(EmailOutcomes).markAttemptFailed(email, 'refused', 1000, 8));
    const [row] = await t.dataSource.query('SELECT status FROM email_outbox WHERE id = $1', [email.id]);
    expect(row.status).toBe('superseded');
  });
});
