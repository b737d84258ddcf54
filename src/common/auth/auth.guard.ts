import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError } from '../errors/app-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { AccessLevel } from './access-level.js';
import { ROLE_RANK } from './system-roles.js';
import { ACCESS_METADATA } from './access.decorator.js';
import { AccessRepository } from './access.repository.js';
import { isWellFormedApiKey } from './api-key-secret.js';
import { AuthenticatedRequest } from './request-context.js';

/** `X-API-Key: <key>` or `Authorization: Bearer <key>`; undefined when neither is sent. */
export function credentialFrom(request: AuthenticatedRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return header.trim();
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && authorization.length > 0) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match ? match[1] : authorization; // a non-Bearer scheme is a malformed credential
  }
  return undefined;
}

/**
 * The global guard: enforces each route's @Access level. A route without one is refused, so a
 * forgotten declaration can never open a route.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly access: AccessRepository,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const level = this.reflector.getAllAndOverride<AccessLevel | undefined>(ACCESS_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!level) throw new Error(`Route ${context.getClass().name}.${context.getHandler().name} declares no @Access`);
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();

    const key = credentialFrom(request);
    if (level === 'public') {
      // Public routes still learn who is calling when a valid key is sent (accept uses it).
      if (key && isWellFormedApiKey(key)) request.caller = await this.access.callerForKey(key);
      return true;
    }
    if (!key) throw new AppError(ErrorCode.AUTHENTICATION_REQUIRED);
    if (level === 'user') {
      const caller = isWellFormedApiKey(key) ? await this.access.callerForKey(key) : undefined;
      if (!caller) throw new AppError(ErrorCode.INVALID_API_KEY);
      request.caller = caller;
      return true;
    }

    const params = request.params as Record<string, string | undefined>;
    const idOrSlug = params.organization_id ?? params.slug;
    if (!idOrSlug) throw new Error(`Route with @Access('${level}') has no organization in its path`);
    const found = isWellFormedApiKey(key) ? await this.access.callerInOrg(key, idOrSlug) : undefined;
    if (!found) throw new AppError(ErrorCode.INVALID_API_KEY);
    request.caller = found.caller;
    const scope = found.scope;
    if (!scope) throw new AppError(ErrorCode.ORGANIZATION_NOT_FOUND);
    request.orgScope = scope;
    if (scope.rank < ROLE_RANK[level]) throw new AppError(ErrorCode.INSUFFICIENT_PERMISSIONS);
    return true;
  }
}
