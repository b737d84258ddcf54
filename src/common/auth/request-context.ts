import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/**
 * The authenticated caller: the user an API key or an OIDC access token acts as. Everything that
 * decides what a call may do uses `userId` (and the membership it has), so both credentials are
 * the same user to every guard and rule. Exactly one of `apiKeyId` and `tokenSubject` is set.
 */
export interface Caller {
  userId: string;
  email: string;
  /** The API key the request used; null when it used an OIDC access token. */
  apiKeyId: string | null;
  /** The `sub` of the OIDC access token the request used (of OIDC_ISSUER); null with an API key. */
  tokenSubject: string | null;
  /** The key's last_used_at is over a minute old (or unset): ApiKeyUseRecorder records this use. */
  touchDue?: boolean;
}

/** The organization in the path, resolved by ID or slug, and the caller's active membership in it. */
export interface OrgScope {
  organizationId: string;
  membershipId: string;
  /** The highest system role's ROLE_RANK: 3 Owner, 2 Admin, 1 Member (or custom roles only). */
  rank: number;
}

export interface AuthenticatedRequest extends FastifyRequest {
  caller?: Caller;
  orgScope?: OrgScope;
}

export const CurrentCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  const caller = ctx.switchToHttp().getRequest<AuthenticatedRequest>().caller;
  if (!caller) throw new Error('CurrentCaller used on a route without authentication');
  return caller;
});

/** The caller when the route is public but credentials were sent (e.g. accept). */
export const OptionalCaller = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Caller | undefined =>
    ctx.switchToHttp().getRequest<AuthenticatedRequest>().caller,
);

export const CurrentOrg = createParamDecorator((_: unknown, ctx: ExecutionContext): OrgScope => {
  const scope = ctx.switchToHttp().getRequest<AuthenticatedRequest>().orgScope;
  if (!scope) throw new Error('CurrentOrg used on a route without an organization scope');
  return scope;
});
