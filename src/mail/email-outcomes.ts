import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InvitationRepository } from '../invitations/invitation.repository.js';
import { ClaimedEmail, OutboxRepository } from '../outbox/outbox.repository.js';

/**
 * What a send's outcome changes: the outbox row and, for an invitation's email, the invitation, in
 * one transaction. The invitation's row first: resend, revoke and accept lock the invitation and
 * then its outbox rows, and the opposite order here deadlocked with them
 * (test/mail-lock-order.e2e-spec.ts).
 */
@Injectable()
export class EmailOutcomes {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxRepository,
    private readonly invitations: InvitationRepository,
  ) {}

  /** Sent: the row records it, and the invitation too unless a resend has moved it to a newer version. */
  async markSent(email: ClaimedEmail): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      if (email.invitationId) {
        await this.invitations.recordEmailSent(manager, email.invitationId, email.invitationVersion!);
      }
      await this.outbox.markSent(manager, email.id);
    });
  }

  /**
   * A failed attempt: retried after `retryDelayMs`, or, once `maxAttempts` are spent, given up
   * ('failed', also on the invitation). Returns the row's new status; undefined when the row
   * stopped being queued meanwhile (superseded by a resend or revoke), and then nothing changes.
   */
  async markAttemptFailed(
    email: ClaimedEmail,
    error: string,
    retryDelayMs: number,
    maxAttempts: number,
  ): Promise<'queued' | 'failed' | undefined> {
    return this.dataSource.transaction(async (manager) => {
      if (email.invitationId) await this.invitations.lockForEmail(manager, email.invitationId);
      const status = await this.outbox.markAttemptFailed(manager, email.id, error, retryDelayMs, maxAttempts);
      if (status !== undefined && email.invitationId) {
        await this.invitations.recordEmailFailure(
          manager,
          email.invitationId,
          email.invitationVersion!,
          error,
          status === 'failed',
        );
      }
      return status;
    });
  }
}
