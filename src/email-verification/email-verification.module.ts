import { Module } from '@nestjs/common';
import { OutboxModule } from '../outbox/outbox.module.js';
import { UsersModule } from '../users/users.module.js';
import { EmailCodesModule } from './email-codes.module.js';
import { EmailVerificationCodes } from './email-verification-codes.js';
import { EmailVerificationController } from './email-verification.controller.js';
import { EmailVerificationService } from './email-verification.service.js';

/**
 * Email proof: one-time codes emailed to a user's address (through the outbox) and checked, from
 * `/v1/me/email-verification` and from accepting an invitation (which uses `EmailVerificationCodes`).
 */
@Module({
  imports: [EmailCodesModule, OutboxModule, UsersModule],
  controllers: [EmailVerificationController],
  providers: [EmailVerificationCodes, EmailVerificationService],
  exports: [EmailVerificationCodes],
})
export class EmailVerificationModule {}
