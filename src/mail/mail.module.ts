import { Module } from '@nestjs/common';
import { EmailCodesModule } from '../email-verification/email-codes.module.js';
import { InvitationRepositoryModule } from '../invitations/invitation-repository.module.js';
import { InvitationTokensModule } from '../invitations/invitation-tokens.module.js';
import { InvitationMailer } from './invitation-mailer.js';
import { MailSender } from './mail-sender.js';
import { OutboxRepository } from './outbox.repository.js';
import { OutboxWorker } from './outbox-worker.js';
import { VerificationCodeMailer } from './verification-code-mailer.js';

/**
 * Invitation and email-verification emails: rendered from src/mail/templates, sent from the outbox table by jobs of the job queue (OutboxWorker),
 * over SMTP_URL or, without it, into `.eml` files under DATA_DIR/mail.
 */
@Module({
  imports: [InvitationTokensModule, InvitationRepositoryModule, EmailCodesModule],
  providers: [MailSender, OutboxRepository, InvitationMailer, VerificationCodeMailer, OutboxWorker],
  // OutboxRepository: its enqueue/cancel are how other modules queue and cancel an invitation's email.
  exports: [OutboxWorker, OutboxRepository],
})
export class MailModule {}
