import { Module } from '@nestjs/common';
import { EmailCodesModule } from '../email-verification/email-codes.module.js';
import { InvitationTokensModule } from '../invitations/invitation-tokens.module.js';
import { InvitationMailer } from './invitation-mailer.js';
import { MailSender } from './mail-sender.js';
import { OutboxRepository } from './outbox.repository.js';
import { OutboxWorker } from './outbox-worker.js';
import { VerificationCodeMailer } from './verification-code-mailer.js';

/**
 * Invitation and email-verification emails: rendered from src/mail/templates, sent from the outbox table by OutboxWorker,
 * over SMTP_URL or, without it, into `.eml` files under DATA_DIR/mail.
 */
@Module({
  imports: [InvitationTokensModule, EmailCodesModule],
  providers: [MailSender, OutboxRepository, InvitationMailer, VerificationCodeMailer, OutboxWorker],
  exports: [OutboxWorker],
})
export class MailModule {}
