import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { Invitation } from './invitation.entity.js';

/**
 * Writes to `invitations` that other modules need (issue 12: one owner per table): the email's
 * outcome, recorded by the mail worker, and the sweeper's settling of expired invitations. Each
 * runs in the caller's transaction (`manager`), so it commits with what the caller records beside it.
 */
@Injectable()
export class InvitationRepository {
  /**
   * Locks the invitation before its outbox row is changed: resend, revoke and accept lock the
   * invitation and then its outbox rows, and the opposite order deadlocks with them
   * (test/mail-lock-order.e2e-spec.ts).
   */
  async lockForEmail(manager: EntityManager, invitationId: string): Promise<void> {
    await manager.query('SELECT 1 FROM invitations WHERE id = $1 FOR NO KEY UPDATE', [invitationId]);
  }

  /** This version's email went out (nothing changes once a resend has moved to a newer version). */
  async recordEmailSent(manager: EntityManager, invitationId: string, version: number): Promise<void> {
    await manager.query(
      `UPDATE invitations SET email_status = 'sent', email_last_error = NULL WHERE id = $1 AND version = $2`,
      [invitationId, version],
    );
  }

  /** An attempt of this version's email failed; `gaveUp`: no more attempts (email_status 'failed'). */
  async recordEmailFailure(
    manager: EntityManager,
    invitationId: string,
    version: number,
    error: string,
    gaveUp: boolean,
  ): Promise<void> {
    await manager.query(
      `UPDATE invitations
          SET email_last_error = $3, email_status = CASE WHEN $4 THEN 'failed' ELSE email_status END
        WHERE id = $1 AND version = $2`,
      [invitationId, version, error, gaveUp],
    );
  }

  /**
   * Stores up to `limit` pending invitations past their expiry as `expired`, in one statement, and
   * returns them (after the change). SKIP LOCKED passes over rows another transaction holds (a
   * concurrent accept, or another sweeper), and the `status = 'pending'` condition, checked again on
   * the locked row, settles each invitation exactly once whatever the number of sweepers.
   */
  async expireDue(manager: EntityManager, limit: number): Promise<Invitation[]> {
    const [rows]: [{ id: string }[], number] = await manager.query(
      `UPDATE invitations SET status = 'expired', updated_at = now()
        WHERE id IN (SELECT id FROM invitations
                      WHERE status = 'pending' AND expires_at <= now()
                      ORDER BY expires_at
                      LIMIT $1
                        FOR UPDATE SKIP LOCKED)
          AND status = 'pending'
    RETURNING id`,
      [limit],
    );
    if (rows.length === 0) return [];
    return manager.find(Invitation, { where: { id: In(rows.map((row) => row.id)) }, order: { id: 'ASC' } });
  }
}
