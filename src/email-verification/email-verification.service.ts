import { Injectable } from '@nestjs/common';
import { AppError } from '../common/errors/app-error.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { iso } from '../common/http/timestamps.js';
import { Db } from '../database/transactions.js';
import { MeResponseDto } from '../users/dto/me-response.dto.js';
import { MeService } from '../users/me.service.js';
import { EmailVerificationSentDto } from './dto/email-verification.dto.js';
import { EMAIL_CODE_RULES } from './email-codes.js';
import { InviteeRow, UsersRepository } from '../users/users.repository.js';
import { EmailVerificationCodes } from './email-verification-codes.js';

/**
 * A signed-in user proving their own email (`/v1/me/email-verification`). Each call locks the
 * user's row first, the order accept takes them in (invitation, user, code), so the two never
 * deadlock on one account.
 */
@Injectable()
export class EmailVerificationService {
  constructor(
    private readonly db: Db,
    private readonly codes: EmailVerificationCodes,
    private readonly users: UsersRepository,
    private readonly me: MeService,
  ) {}

  /** Emails the caller a new code: at most one a minute (429 RATE_LIMITED with Retry-After otherwise). */
  request(userId: string): Promise<EmailVerificationSentDto> {
    return this.db.transaction(async (manager) => {
      const user = await this.lockUnverified(userId);
      const request = await this.codes.request(manager, user);
      if (!request.sent) {
        const retryAfter = request.retryAfterSeconds;
        throw new AppError(
          ErrorCode.RATE_LIMITED,
          `A code was sent moments ago; a new one can be requested in ${retryAfter} seconds.`,
          {
            scope: 'email-verification-code',
            limit: 1,
            window_seconds: EMAIL_CODE_RULES.newCodeAfterSeconds,
            retry_after_seconds: retryAfter,
          },
          { 'Retry-After': String(retryAfter) },
        );
      }
      return { email: user.email, expires_at: iso(request.expiresAt!) };
    });
  }

  /** Checks the code; the try is counted (committed) even when it is wrong. */
  async confirm(userId: string, code: string): Promise<MeResponseDto> {
    const refusal = await this.db.transaction(async (manager) => {
      await this.lockUnverified(userId);
      const check = await this.codes.check(manager, userId, code);
      if (!check.verified) return check.refusal;
      await this.users.markEmailVerified(userId);
      return undefined;
    });
    if (refusal) throw refusal;
    return this.me.me(userId);
  }

  private async lockUnverified(userId: string): Promise<InviteeRow> {
    const user = await this.users.lockInvitee(userId);
    if (user.email_verified_at)
      throw new AppError(ErrorCode.EMAIL_ALREADY_VERIFIED, undefined, { email: user.email });
    return user;
  }
}
