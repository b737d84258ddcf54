import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import { AppError } from '../errors/app-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { RATE_LIMIT_SCOPES } from './rate-limit-throttlers.js';

/**
 * The global rate-limit guard (registered after the AuthGuard). @nestjs/throttler counts; this only
 * turns an exceeded budget into our 429 RATE_LIMITED with a `Retry-After` header.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const budget = detail.key.slice(0, detail.key.indexOf(':'));
    const retryAfter = Math.max(1, Math.ceil(detail.timeToBlockExpire));
    throw new AppError(
      ErrorCode.RATE_LIMITED,
      `Too many requests; retry after ${retryAfter} seconds.`,
      {
        scope: RATE_LIMIT_SCOPES[budget] ?? budget,
        limit: detail.limit,
        window_seconds: Math.round(detail.ttl / 1000),
        retry_after_seconds: retryAfter,
      },
      { 'Retry-After': String(retryAfter) },
    );
  }
}
