import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppendedEvent, EventLog } from '../events/event-log.js';
import { InvitationRepository } from '../invitations/invitation.repository.js';
import { OutboxRepository } from './outbox.repository.js';

/**
 * The one place that decides which changes email an invitee: an invitation created with
 * `send_invitation` (its `email_status` is `queued`) and every resend queue the email of the
 * invitation's current version; a revoke or decline cancels what is still queued. It runs in the
 * transaction of the change (an event reaction), so the email commits with it or not at all. The
 * events carry no link or token: the version the email is for is read by id from the invitations.
 */
@Injectable()
export class InvitationEmailReaction implements OnModuleInit {
  constructor(
    private readonly events: EventLog,
    private readonly invitations: InvitationRepository,
    private readonly outbox: OutboxRepository,
  ) {}

  onModuleInit(): void {
    this.events.subscribe((manager, events) => this.react(manager, events));
  }

  private async react(manager: EntityManager, events: readonly AppendedEvent[]): Promise<void> {
    const toSend = events
      .filter(
        (event) =>
          event.type === 'invitation.resent' ||
          (event.type === 'invitation.created' && emailStatusOf(event) === 'queued'),
      )
      .map((event) => event.subjectId);
    const toCancel = events
      .filter((event) => event.type === 'invitation.revoked' || event.type === 'invitation.declined')
      .map((event) => event.subjectId);
    if (toSend.length === 1) {
      const versions = await this.invitations.versionsOf(toSend);
      await this.outbox.enqueue(manager, toSend[0], versions.get(toSend[0])!);
    } else if (toSend.length > 1) {
      await this.enqueueAll(manager, toSend);
    }
    for (const invitationId of toCancel) await this.outbox.cancel(manager, invitationId);
  }

  /**
   * What `OutboxRepository.enqueue` does for one invitation, for a bulk request's many at once in a
   * constant number of statements (a thousand invitations must not cost two thousand statements).
   */
  private async enqueueAll(manager: EntityManager, invitationIds: string[]): Promise<void> {
    const versions = await this.invitations.versionsOf(invitationIds);
    const ids = invitationIds.filter((id) => versions.has(id));
    const numbers = ids.map((id) => versions.get(id)!);
    await manager.query(
      `UPDATE email_outbox o SET status = 'superseded'
         FROM unnest($1::varchar[], $2::int[]) AS q(invitation_id, version)
        WHERE o.invitation_id = q.invitation_id AND o.status = 'queued' AND o.invitation_version < q.version`,
      [ids, numbers],
    );
    await manager.query(
      `INSERT INTO email_outbox (invitation_id, invitation_version, message_id)
       SELECT * FROM unnest($1::varchar[], $2::int[], $3::varchar[])
       ON CONFLICT (invitation_id, invitation_version) DO NOTHING`,
      [ids, numbers, ids.map((id, index) => this.outbox.messageId(id, numbers[index]))],
    );
  }
}

function emailStatusOf(event: AppendedEvent): unknown {
  return (event.data as { email_status?: unknown } | null)?.email_status;
}
