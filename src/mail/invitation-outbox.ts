import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';

/**
 * Writes invitation emails into the outbox, always inside the transaction of the change that asks
 * for them (see InvitationEmailReaction), so an invitation and its email exist together or not at
 * all. The mail worker polls the table and sends; nothing here talks to SMTP. Set-based: a bulk
 * change queues all its emails in two statements.
 */
@Injectable()
export class InvitationOutbox {
  private readonly messageIdHost: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.messageIdHost = new URL(config.publicAppUrl).hostname;
  }

  /** Stable per invitation version, so a retried send is recognisably the same message. */
  messageId(invitationId: string, version: number): string {
    return `<${invitationId}.v${version}@${this.messageIdHost}>`;
  }

  /**
   * Queues the email for this version of each invitation. Mail still queued for older versions
   * carries a dead link, so it is superseded rather than sent.
   */
  async queue(
    manager: EntityManager,
    emails: readonly { invitationId: string; version: number }[],
  ): Promise<void> {
    if (emails.length === 0) return;
    const ids = emails.map((email) => email.invitationId);
    const versions = emails.map((email) => email.version);
    await manager.query(
      `UPDATE email_outbox o SET status = 'superseded'
         FROM unnest($1::varchar[], $2::int[]) AS q(invitation_id, version)
        WHERE o.invitation_id = q.invitation_id AND o.status = 'queued' AND o.invitation_version < q.version`,
      [ids, versions],
    );
    await manager.query(
      `INSERT INTO email_outbox (invitation_id, invitation_version, message_id)
       SELECT * FROM unnest($1::varchar[], $2::int[], $3::varchar[])
       ON CONFLICT (invitation_id, invitation_version) DO NOTHING`,
      [ids, versions, emails.map((email) => this.messageId(email.invitationId, email.version))],
    );
  }

  /** The invitations are dead (revoked, declined): mail not yet sent for them must not go out. */
  async cancel(manager: EntityManager, invitationIds: readonly string[]): Promise<void> {
    if (invitationIds.length === 0) return;
    await manager.query(
      `UPDATE email_outbox SET status = 'superseded' WHERE invitation_id = ANY($1::varchar[]) AND status = 'queued'`,
      [invitationIds],
    );
  }
}
