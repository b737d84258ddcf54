import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError } from '../errors/app-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { AccessLevel } from './access-level.js';
import { meetsLevel } from './system-roles.js';
import { ACCESS_METADATA } from './access.decorator.js';
import { AccessRepository, FoundCaller } from './access.repository.js';
import { ApiKeyUseRecorder } from './api-key-use-recorder.js';
import { isWellFormedApiKey } from './api-key-secret.js';
import { TokenAuthenticator } from './oidc/token-authenticator.js';
import { AuthenticatedRequest, Caller, OrgScope } from './request-context.js';

/** `X-API-Key: <key>` or `Authorization: Bearer <key or access token>`; undefined when neither is sent. */
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
 * forgotten declaration can never open a route. An API key and an OIDC access token lead to the
 * same Caller and OrgScope, so every rule after this treats them alike.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly access: AccessRepository,
    private readonly tokens: TokenAuthenticator,
    private readonly keyUses: ApiKeyUseRecorder,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const level = this.reflector.getAllAndOverride<AccessLevel | undefined>(ACCESS_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!level)
      throw new Error(`Route ${context.getClass().name}.${context.getHandler().name} declares no @Access`);
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();

    const credential = credentialFrom(request);
    if (level === 'public') {
      // Public routes still learn who is calling when valid credentials are sent (accept uses them).
      if (credential) this.identify(request, (await this.authenticate(credential, undefined, false))?.caller);
      return true;
    }
    if (!credential) throw new AppError(ErrorCode.AUTHENTICATION_REQUIRED);
    if (level === 'user') {
      const found = await this.authenticate(credential, undefined, true);
      if (!found) throw new AppError(ErrorCode.INVALID_API_KEY);
      this.identify(request, found.caller);
      return true;
    }

    const params = request.params as Record<string, string | undefined>;
    const idOrSlug = params.organization_id ?? params.slug;
    if (!idOrSlug) throw new Error(`Route with @Access('${level}') has no organization in its path`);
    const found = await this.authenticate(credential, idOrSlug, true);
    if (!found) throw new AppError(ErrorCode.INVALID_API_KEY);
    this.identify(request, found.caller);
    const scope = found.scope;
    if (!scope) throw new AppError(ErrorCode.ORGANIZATION_NOT_FOUND);
    request.orgScope = scope;
    if (!meetsLevel(scope.rank, level)) throw new AppError(ErrorCode.INSUFFICIENT_PERMISSIONS);
    return true;
  }

  /** The credential authenticated: it acts as its user, and a key's use is recorded (at most once a minute). */
  private identify(request: AuthenticatedRequest, caller: Caller | undefined): void {
    request.caller = caller;
    if (caller?.touchDue && caller.apiKeyId) this.keyUses.recordUse(caller.apiKeyId);
  }

  /**
   * The caller (and their scope in `idOrSlug` when given). Undefined for an unknown API key, or a
   * token with no user on a route that needs none; a bad token throws its own 401 (or 503).
   */
  private async authenticate(
    credential: string,
    idOrSlug: string | undefined,
    needUser: boolean,
  ): Promise<(FoundCaller & { scope?: OrgScope }) | undefined> {
    if (this.tokens.accepts(credential)) return this.tokens.authenticate(credential, idOrSlug, needUser);
    if (!isWellFormedApiKey(credential)) return undefined;
    const ref = { apiKey: credential };
    return idOrSlug === undefined ? this.access.callerFor(ref) : this.access.callerInOrg(ref, idOrSlug);
  }
}
