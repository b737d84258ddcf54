import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';

/**
 * Writes invitation emails into the outbox, always inside the caller's transaction, so an
 * invitation and its email exist together or not at all. The mail worker (src/mail) polls the
 * table and sends; nothing here talks to SMTP.
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
   * Queues the email for this version of the invitation. Mail still queued for older versions
   * carries a dead link, so it is superseded rather than sent.
   */
  async queue(manager: EntityManager, invitationId: string, version: number): Promise<void> {
    await manager.query(
      `UPDATE email_outbox SET status = 'superseded'
        WHERE invitation_id = $1 AND status = 'queued' AND invitation_version < $2`,
      [invitationId, version],
    );
    await manager.query(
      `INSERT INTO email_outbox (invitation_id, invitation_version, message_id) VALUES ($1, $2, $3)
       ON CONFLICT (invitation_id, invitation_version) DO NOTHING`,
      [invitationId, version, this.messageId(invitationId, version)],
    );
  }

  /** The invitation is dead (revoked, declined): mail not yet sent for it must not go out. */
  async cancel(manager: EntityManager, invitationId: string): Promise<void> {
    await manager.query(
      `UPDATE email_outbox SET status = 'superseded' WHERE invitation_id = $1 AND status = 'queued'`,
      [invitationId],
    );
  }
}
