import { Inject, Injectable } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { AppError } from '../errors/app-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { SpendableStorage } from './budget-spend.js';
import { HOUR_MS, RATE_LIMIT_SCOPES, rateLimitKey } from './rate-limit-throttlers.js';

const BUDGET = 'invites-per-org';

/**
 * The organization's hourly invitation budget (RATE_LIMIT_INVITES_PER_ORG_PER_HOUR) spent n at a
 * time, for a request that invites many: the same counter the `invites-per-org` throttler counts
 * single creates and resends on, so the two kinds of request share one budget.
 */
@Injectable()
export class InviteBudget {
  constructor(
    @Inject(ThrottlerStorage) private readonly storage: SpendableStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Spends `count` invitations, or throws 429 RATE_LIMITED (spending nothing) when they do not all fit. */
  async spend(organizationId: string, count: number): Promise<void> {
    const limit = this.config.rateLimitInvitesPerOrgPerHour;
    const key = rateLimitKey(undefined as never, organizationId, BUDGET);
    const spent = await this.storage.spend(key, HOUR_MS, limit, count);
    if (spent.allowed) return;
    const retryAfter = Math.max(1, spent.retryAfterSeconds);
    throw new AppError(
      ErrorCode.RATE_LIMITED,
      `These ${count} invitations exceed the organization's hourly budget; retry after ${retryAfter} seconds.`,
      {
        scope: RATE_LIMIT_SCOPES[BUDGET],
        limit,
        window_seconds: HOUR_MS / 1000,
        retry_after_seconds: retryAfter,
        requested: count,
        remaining: Math.max(0, limit - spent.totalHits),
      },
      { 'Retry-After': String(retryAfter) },
    );
  }
}
