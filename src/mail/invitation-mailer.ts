import * as fs from 'node:fs';
import { Inject, Injectable } from '@nestjs/common';
import { MailerService } from '@nestjs-modules/mailer';
import Handlebars from 'handlebars';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { grantedRoleIdsSql } from '../invitations/invitation-grants-sql.js';
import { InvitationTokens } from '../invitations/invitation-token.js';
import { buildInvitationEmail } from './invitation-email.js';
import { TEMPLATES_DIR } from './mailer-options.js';
import { ClaimedEmail } from '../outbox/outbox.repository.js';
import { sendTemplated, TemplatedMail } from './send-templated.js';

interface InvitationEmailRow {
  status: string;
  version: number;
  expires_at: Date;
  email: string;
  invitee_name: string | null;
  custom_message: string | null;
  organization_name: string;
  inviter_full_name: string | null;
  inviter_email: string | null;
  role_names: string[];
}

/** Renders and sends the email of one outbox row. */
@Injectable()
export class InvitationMailer {
  /** The plain-text part: the same handlebars, without HTML escaping. */
  private readonly renderText = Handlebars.compile(
    fs.readFileSync(`${TEMPLATES_DIR}invitation.text.hbs`, 'utf8'),
    {
      noEscape: true,
      strict: true,
    },
  );

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly mailer: MailerService,
    private readonly tokens: InvitationTokens,
  ) {}

  /**
   * Sends the row's message, unless its invitation is no longer pending at that version (resent,
   * revoked, accepted, declined or expired since the row was written): then nothing is sent.
   */
  async send(
    email: ClaimedEmail & { invitationId: string; invitationVersion: number },
  ): Promise<'sent' | 'superseded'> {
    const row = await this.load(email.invitationId);
    if (
      !row ||
      row.status !== 'pending' ||
      row.version !== email.invitationVersion ||
      row.expires_at <= new Date()
    ) {
      return 'superseded';
    }
    const message = buildInvitationEmail({
      email: row.email,
      inviteeName: row.invitee_name,
      organizationName: row.organization_name,
      inviterFullName: row.inviter_full_name,
      inviterEmail: row.inviter_email,
      roleNames: row.role_names,
      customMessage: row.custom_message,
      expiresAt: row.expires_at,
      link: this.tokens.link(email.invitationId, email.invitationVersion),
    });
    const mail: TemplatedMail = {
      from: this.config.mailFrom,
      to: message.to,
      subject: message.subject,
      // The HTML part: MailerModule's HandlebarsAdapter ({{ }} escapes HTML); the text part: the same values, unescaped.
      template: 'invitation.html.hbs',
      context: message.context,
      text: this.renderText(message.context),
      messageId: email.messageId,
      headers: { 'Auto-Submitted': 'auto-generated' },
    };
    await sendTemplated(this.mailer, mail);
    return 'sent';
  }

  private async load(invitationId: string): Promise<InvitationEmailRow | undefined> {
    const rows: InvitationEmailRow[] = await this.dataSource.query(
      `SELECT i.status, i.version, i.expires_at, i.email, i.custom_message,
              COALESCE(i.full_name, invitee.full_name) AS invitee_name,
              o.name AS organization_name,
              inviter.full_name AS inviter_full_name, inviter.email AS inviter_email,
              ARRAY(SELECT r.name FROM roles r
                     WHERE r.organization_id = i.organization_id AND r.id = ANY (${grantedRoleIdsSql('i')})
                     ORDER BY r.name) AS role_names
         FROM invitations i
         JOIN organizations o ON o.id = i.organization_id
         JOIN users invitee ON invitee.id = i.user_id
         LEFT JOIN users inviter ON inviter.id = i.invited_by
        WHERE i.id = $1`,
      [invitationId],
    );
    return rows[0];
  }
}
