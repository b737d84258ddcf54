import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorEnvelopeDto, Seed002ErrorDto } from '../openapi/error-envelope.dto.js';

/**
 * The budgets a route can opt into. The per-user request budget needs no decorator: the guard
 * applies it to every request that carries a valid key.
 * - `public-token`: the public invitation token routes, per client address (token guessing).
 * - `invites-per-org`: every route that sends an organization's email (creates, resends), per
 *   organization and hour (email bombing).
 * - `org-creates-per-user`: organization creation, per user and hour (each organization has its own
 *   email budget, so organizations must not be free).
 */
export type RateLimitKind = 'public-token' | 'invites-per-org' | 'org-creates-per-user';

export const RATE_LIMIT_KINDS = 'rate-limit-kinds';

const DESCRIPTIONS: Record<RateLimitKind, string> = {
  'public-token': 'Too many token requests from this client address (RATE_LIMITED); see Retry-After',
  'invites-per-org': "The organization's hourly email budget is spent (RATE_LIMITED); see Retry-After",
  'org-creates-per-user':
    'The caller created too many organizations this hour (RATE_LIMITED); see Retry-After',
};

/** Adds `kind` to the route's list, so a route can carry several budgets. */
function addKind(kind: RateLimitKind): MethodDecorator & ClassDecorator {
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const where = (descriptor?.value as object | undefined) ?? target;
    const kinds = (Reflect.getMetadata(RATE_LIMIT_KINDS, where) as RateLimitKind[] | undefined) ?? [];
    Reflect.defineMetadata(RATE_LIMIT_KINDS, [...kinds, kind], where);
    return descriptor as never;
  };
}

/**
 * Puts the route under a rate-limit budget (enforced by the global RateLimitGuard) and documents
 * its 429. `seed002` documents seed 002's error envelope instead.
 */
export function RateLimit(kind: RateLimitKind, options: { seed002?: boolean } = {}) {
  return applyDecorators(
    addKind(kind),
    // The Retry-After and X-Request-Id headers are added to every 429 by src/openapi/complete-operations.ts.
    ApiResponse({
      status: 429,
      description: DESCRIPTIONS[kind],
      type: options.seed002 ? Seed002ErrorDto : ErrorEnvelopeDto,
    }),
  );
}
