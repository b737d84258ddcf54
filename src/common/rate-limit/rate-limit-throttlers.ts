import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { normalizeIp, ThrottlerOptions } from '@nestjs/throttler';
import { AuthenticatedRequest } from '../auth/request-context.js';
import { AppConfig } from '../../config/app-config.js';
import { RATE_LIMIT_KINDS, RateLimitKind } from './rate-limit.decorator.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** The names of the three budgets; also the first segment of every counter key. */
export const PER_KEY = 'per-key';

/** What each budget counts, as the `scope` a 429 reports. */
export const RATE_LIMIT_SCOPES: Record<string, string> = {
  [PER_KEY]: 'api_key',
  'public-token': 'client_address',
  'invites-per-org': 'organization',
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
 * The three budgets. They run after the AuthGuard, so the caller's key and the organization in the
 * path are already resolved (a request refused by authentication spends nothing).
 * A budget is shared across routes: the counter key is `<budget>:<tracker>`, not per route.
 */
export function rateLimitThrottlers(config: AppConfig): ThrottlerOptions[] {
  return [
    {
      name: PER_KEY,
      limit: config.rateLimitPerKeyPerMin,
      ttl: MINUTE_MS,
      skipIf: (context) => !requestOf(context).caller,
      // An OIDC token has no key: its budget is its user's (IDs are prefixed, so `key_…` and `usr_…` never collide).
      getTracker: (req) => (req as AuthenticatedRequest).caller!.apiKeyId ?? (req as AuthenticatedRequest).caller!.userId,
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
  ];
}

export function rateLimitKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
  return `${throttlerName}:${tracker}`;
}
