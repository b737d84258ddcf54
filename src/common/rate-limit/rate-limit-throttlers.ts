import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { normalizeIp, ThrottlerOptions } from '@nestjs/throttler';
import { AuthenticatedRequest } from '../auth/request-context.js';
import { AppConfig } from '../../config/app-config.js';
import { RATE_LIMIT_KINDS, RateLimitKind } from './rate-limit.decorator.js';

const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;

/** What each budget counts, as the `scope` a 429 reports; the names are the first segment of every counter key. */
export const RATE_LIMIT_SCOPES: Record<string, string> = {
  'per-user': 'user',
  'public-token': 'client_address',
  'invites-per-org': 'organization',
  'org-creates-per-user': 'user',
};

const reflector = new Reflector();

function kindsOf(context: ExecutionContext): RateLimitKind[] {
  return (
    reflector.getAllAndMerge<RateLimitKind[]>(RATE_LIMIT_KINDS, [context.getHandler(), context.getClass()]) ??
    []
  );
}

function requestOf(context: ExecutionContext): AuthenticatedRequest {
  return context.switchToHttp().getRequest<AuthenticatedRequest>();
}

/**
 * The budgets. They run after the AuthGuard, so the caller and the organization in the path are
 * already resolved (a request refused by authentication spends nothing). A budget is shared across
 * routes: the counter key is `<budget>:<tracker>`, not per route. Budgets follow the user, never the
 * key, so creating keys or organizations buys no fresh budget.
 */
export function rateLimitThrottlers(config: AppConfig): ThrottlerOptions[] {
  return [
    {
      // RATE_LIMIT_PER_KEY_PER_MIN, shared by all of the user's keys.
      name: 'per-user',
      limit: config.rateLimitPerKeyPerMin,
      ttl: MINUTE_MS,
      skipIf: (context) => !requestOf(context).caller,
      // Per user: all of a user's keys and tokens share one budget, so a new key buys none.
      getTracker: (req) => (req as AuthenticatedRequest).caller!.userId,
    },
    {
      name: 'public-token',
      limit: config.rateLimitPublicPerMin,
      ttl: MINUTE_MS,
      skipIf: (context) => !kindsOf(context).includes('public-token'),
      // IPv6 clients are counted per /64, as one host usually owns a whole /64.
      getTracker: (req) => normalizeIp((req as AuthenticatedRequest).ip),
    },
    {
      name: 'invites-per-org',
      limit: config.rateLimitInvitesPerOrgPerHour,
      ttl: HOUR_MS,
      skipIf: (context) => !kindsOf(context).includes('invites-per-org') || !requestOf(context).orgScope,
      getTracker: (req) => (req as AuthenticatedRequest).orgScope!.organizationId,
    },
    {
      name: 'org-creates-per-user',
      limit: config.rateLimitOrgCreatesPerUserPerHour,
      ttl: HOUR_MS,
      skipIf: (context) => !kindsOf(context).includes('org-creates-per-user') || !requestOf(context).caller,
      getTracker: (req) => (req as AuthenticatedRequest).caller!.userId,
    },
  ];
}

export function rateLimitKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
  return `${throttlerName}:${tracker}`;
}
