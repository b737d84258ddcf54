import { Injectable } from '@nestjs/common';
import { Db } from '../../database/transactions.js';
import { InvitationOutbox } from '../invitation-outbox.js';

/**
 * Queues the emails of a bulk request's new invitations in the outbox, in one statement and in the
 * request's transaction. The one place bulk queues mail: when emails are queued by a reaction to
 * `invitation.created` (src/mail), this goes away (its insert is idempotent per invitation version,
 * so both running at once would still queue each email once).
 */
@Injectable()
export class BulkInvitationEmails {
  constructor(
    private readonly db: Db,
    private readonly outbox: InvitationOutbox,
  ) {}

  async queue(invitationIds: string[]): Promise<void> {
    if (invitationIds.length === 0) return;
    await this.db.manager().query(
      `INSERT INTO email_outbox (invitation_id, invitation_version, message_id)
       SELECT o.id, 1, o.message_id FROM unnest($1::varchar[], $2::varchar[]) AS o(id, message_id)
       ON CONFLICT (invitation_id, invitation_version) DO NOTHING`,
      [invitationIds, invitationIds.map((id) => this.outbox.messageId(id, 1))],
    );
  }
}
