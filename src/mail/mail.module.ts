import { Module } from '@nestjs/common';
import { MailerModule } from '@nestjs-modules/mailer';
import { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { EmailCodesModule } from '../email-verification/email-codes.module.js';
import { InvitationRepositoryModule } from '../invitations/invitation-repository.module.js';
import { InvitationTokensModule } from '../invitations/invitation-tokens.module.js';
import { OutboxModule } from '../outbox/outbox.module.js';
import { EmailOutcomes } from './email-outcomes.js';
import { InvitationEmailReaction } from './invitation-email-reaction.js';
import { InvitationMailer } from './invitation-mailer.js';
import { mailerOptions } from './mailer-options.js';
import { OutboxWorker } from './outbox-worker.js';
import { VerificationCodeMailer } from './verification-code-mailer.js';

/**
 * Invitation and email-verification emails: rendered from src/mail/templates, sent from the outbox table by jobs of the job queue (OutboxWorker),
 * over SMTP_URL or, without it, into `.eml` files under DATA_DIR/mail.
 */
@Module({
  imports: [
    InvitationTokensModule,
    InvitationRepositoryModule,
    EmailCodesModule,
    OutboxModule,
    // APP_CONFIG comes from the global ConfigModule, so the factory imports nothing.
    MailerModule.forRootAsync({
      imports: [],
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => mailerOptions(config),
    }),
  ],
  providers: [
    EmailOutcomes,
    InvitationMailer,
    VerificationCodeMailer,
    OutboxWorker,
    // Which changes email someone: decided here, from the event log, not by each service.
    InvitationEmailReaction,
  ],
  exports: [OutboxWorker],
})
export class MailModule {}
