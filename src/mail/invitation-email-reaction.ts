import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppendedEvent, EventLog } from '../events/event-log.js';
import { InvitationRepository } from '../invitations/invitation.repository.js';
import { OutboxRepository } from '../outbox/outbox.repository.js';

/**
 * The one place that decides which changes email an invitee: an invitation created with
 * `send_invitation` (its `email_status` is `queued`) and every resend queue the email of the
 * invitation's current version; a revoke or decline cancels what is still queued. It runs in the
 * transaction of the change (an event reaction), so the email commits with it or not at all. The
 * events carry no link or token: a resent invitation's version the email is for is read by id from the
 * invitations (a created one is at version 1).
 */
@Injectable()
export class InvitationEmailReaction implements OnModuleInit {
  constructor(
    private readonly events: EventLog,
    private readonly invitations: InvitationRepository,
    private readonly outbox: OutboxRepository,
  ) {}

  onModuleInit(): void {
    // A created invitation's email is queued in its event's own statement (it is at version 1).
    this.events.subscribeWriting({ write: this.outbox.createdInvitationEmailsWrite() });
    this.events.subscribe((manager, events) => this.react(manager, events));
  }

  /** A resend's email (of the version the invitation is at now), and cancelling on revoke or decline. */
  private async react(manager: EntityManager, events: readonly AppendedEvent[]): Promise<void> {
    const resent = events
      .filter((event) => event.type === 'invitation.resent')
      .map((event) => event.subjectId);
    const toCancel = events
      .filter((event) => event.type === 'invitation.revoked' || event.type === 'invitation.declined')
      .map((event) => event.subjectId);
    const versions =
      resent.length > 0 ? await this.invitations.versionsOf(resent) : new Map<string, number>();
    await this.outbox.enqueueAll(
      manager,
      resent.filter((id) => versions.has(id)).map((id) => ({ invitationId: id, version: versions.get(id)! })),
    );
    for (const invitationId of toCancel) await this.outbox.cancel(manager, invitationId);
  }
}
