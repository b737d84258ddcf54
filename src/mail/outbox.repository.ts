import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** A claimed outbox row, as the claim query returns it. */
export interface ClaimedEmail {
  id: string;
  /** An invitation email names the invitation and its version; a verification-code email its code. */
  invitationId: string | null;
  invitationVersion: number | null;
  verificationCodeId: string | null;
  attempts: number;
  messageId: string;
}

interface ClaimedRow {
  id: string;
  invitation_id: string | null;
  invitation_version: number | null;
  verification_code_id: string | null;
  attempts: number;
  message_id: string;
}

/**
 * The outbox's state changes, each one SQL statement (or one transaction) so that several workers,
 * in one process or many, can share the table.
 */
@Injectable()
export class OutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Takes up to `limit` due rows for this worker: SKIP LOCKED lets concurrent claimers pass over each
   * other's rows instead of waiting, and the lease (`locked_until`) keeps a row away from every other
   * worker while it is being sent; if this process dies, the lease runs out and the row is due again.
   */
  async claimDue(limit: number, leaseMs: number): Promise<ClaimedEmail[]> {
    // For UPDATE, TypeORM's raw result is [rows, affected count].
    const [rows]: [ClaimedRow[], number] = await this.dataSource.query(
      `UPDATE email_outbox
          SET locked_until = now() + $2 * interval '1 millisecond', attempts = attempts + 1
        WHERE id IN (SELECT id FROM email_outbox
                      WHERE status = 'queued' AND next_attempt_at <= now()
                        AND (locked_until IS NULL OR locked_until < now())
                      ORDER BY next_attempt_at
                      LIMIT $1
                        FOR UPDATE SKIP LOCKED)
    RETURNING id, invitation_id, invitation_version, verification_code_id, attempts, message_id`,
      [limit, leaseMs],
    );
    return rows.map((row) => ({
      id: String(row.id),
      invitationId: row.invitation_id,
      invitationVersion: row.invitation_version,
      verificationCodeId: row.verification_code_id,
      attempts: row.attempts,
      messageId: row.message_id,
    }));
  }

  /**
   * Sent: the row records it, and the invitation too unless a resend has moved it to a newer version.
   * The invitation first: resend, revoke and accept lock the invitation and then its outbox rows, and
   * the opposite order here deadlocked with them (test/mail-lock-order.e2e-spec.ts).
   */
  async markSent(email: ClaimedEmail): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `UPDATE invitations SET email_status = 'sent', email_last_error = NULL WHERE id = $1 AND version = $2`,
        [email.invitationId, email.invitationVersion],
      );
      await manager.query(
        `UPDATE email_outbox SET status = 'sent', sent_at = now(), locked_until = NULL, last_error = NULL WHERE id = $1`,
        [email.id],
      );
    });
  }

  /**
   * A failed attempt: retried after `retryDelayMs`, or, once `maxAttempts` are spent, given up
   * ('failed', also on the invitation). Returns the row's new status; nothing changes when the row
   * stopped being queued meanwhile (superseded by a resend or revoke).
   */
  async markAttemptFailed(
    email: ClaimedEmail,
    error: string,
    retryDelayMs: number,
    maxAttempts: number,
  ): Promise<'queued' | 'failed' | undefined> {
    return this.dataSource.transaction(async (manager) => {
      // The invitation's row before the outbox row, in the order its changes take them (see markSent).
      await manager.query('SELECT 1 FROM invitations WHERE id = $1 FOR NO KEY UPDATE', [email.invitationId]);
      const [rows]: [{ status: 'queued' | 'failed' }[], number] = await manager.query(
        `UPDATE email_outbox
            SET last_error = $2, locked_until = NULL,
                status = CASE WHEN attempts >= $3 THEN 'failed' ELSE status END,
                next_attempt_at = CASE WHEN attempts >= $3 THEN next_attempt_at
                                       ELSE now() + $4 * interval '1 millisecond' END
          WHERE id = $1 AND status = 'queued'
      RETURNING status`,
        [email.id, error, maxAttempts, retryDelayMs],
      );
      const status = rows[0]?.status;
      if (status === undefined) return undefined;
      await manager.query(
        `UPDATE invitations
            SET email_last_error = $3, email_status = CASE WHEN $4 THEN 'failed' ELSE email_status END
          WHERE id = $1 AND version = $2`,
        [email.invitationId, email.invitationVersion, error, status === 'failed'],
      );
      return status;
    });
  }

  /** The invitation moved on (resent, revoked, accepted, expired): this version's email must not go out. */
  async markSuperseded(email: ClaimedEmail): Promise<void> {
    await this.dataSource.query(
      `UPDATE email_outbox SET status = 'superseded', locked_until = NULL WHERE id = $1 AND status = 'queued'`,
      [email.id],
    );
  }
}
