import * as fs from 'node:fs';
import { Inject, Injectable } from '@nestjs/common';
import { MailerService } from '@nestjs-modules/mailer';
import Handlebars from 'handlebars';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { EMAIL_CODE_RULES, EmailCodes } from '../email-verification/email-codes.js';
import { headerValue } from './header-value.js';
import { TEMPLATES_DIR } from './mailer-options.js';
import { sendTemplated } from './send-templated.js';

const SUBJECT = 'Your email verification code';

/** Renders and sends the email of an outbox row that carries an email-verification code. */
@Injectable()
export class VerificationCodeMailer {
  private readonly renderText = Handlebars.compile(
    fs.readFileSync(`${TEMPLATES_DIR}email-verification.text.hbs`, 'utf8'),
    { noEscape: true, strict: true },
  );

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly mailer: MailerService,
    private readonly codes: EmailCodes,
  ) {}

  /**
   * Sends the code, derived again from its id (it is stored nowhere), unless it no longer works:
   * replaced by a newer code, used, expired or out of tries. Then nothing is sent.
   */
  async send(email: { verificationCodeId: string; messageId: string }): Promise<'sent' | 'superseded'> {
    const rows: { email: string }[] = await this.dataSource.query(
      `SELECT email FROM email_verification_codes
        WHERE id = $1 AND consumed_at IS NULL AND attempts < $2 AND expires_at > now()`,
      [email.verificationCodeId, EMAIL_CODE_RULES.maxAttempts],
    );
    if (rows.length === 0) return 'superseded';
    const address = headerValue(rows[0].email, 254);
    const context = {
      subject: SUBJECT,
      email: address,
      code: this.codes.codeFor(email.verificationCodeId),
      ttlMinutes: EMAIL_CODE_RULES.ttlMinutes,
    };
    await sendTemplated(this.mailer, {
      from: this.config.mailFrom,
      to: { name: '', address },
      subject: SUBJECT,
      template: 'email-verification.html.hbs',
      context,
      text: this.renderText(context),
      messageId: email.messageId,
      headers: { 'Auto-Submitted': 'auto-generated' },
    });
    return 'sent';
  }
}
