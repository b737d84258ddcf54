import { Injectable } from '@nestjs/common';
import { AppError } from '../../errors/app-error.js';
import { ErrorCode } from '../../errors/error-code.js';
import { AccessRepository, CallerRef, FoundCaller } from '../access.repository.js';
import { OrgScope } from '../request-context.js';
import { OidcIdentitiesRepository } from './oidc-identities.repository.js';
import { looksLikeJwt, OidcVerifier } from './oidc-verifier.js';
import { VerifiedUsers } from './verified-users.js';

/**
 * The AuthGuard's path for OIDC access tokens: verify the token, then find its user exactly as an
 * API key's (one query, the organization scope in the same round trip). Only the first request of a
 * subject writes: the link to its user.
 */
@Injectable()
export class TokenAuthenticator {
  constructor(
    private readonly verifier: OidcVerifier,
    private readonly access: AccessRepository,
    private readonly identities: OidcIdentitiesRepository,
    private readonly users: VerifiedUsers,
  ) {}

  /** With OIDC configured, a JWT-shaped credential is a token; anything else stays an API key. */
  accepts(credential: string): boolean {
    return this.verifier.enabled && looksLikeJwt(credential);
  }

  /**
   * The token's user (and their scope in `idOrSlug`). Without a link and a verified email there is
   * no user: 403 EMAIL_NOT_VERIFIED where the route needs one, else undefined (a public route).
   */
  async authenticate(
    token: string,
    idOrSlug: string | undefined,
    needUser: boolean,
  ): Promise<(FoundCaller & { scope?: OrgScope }) | undefined> {
    const claims = await this.verifier.verify(token);
    const ref: CallerRef = { issuer: claims.issuer, subject: claims.subject };
    const lookup = () =>
      idOrSlug === undefined ? this.access.callerFor(ref) : this.access.callerInOrg(ref, idOrSlug);

    const found = await lookup();
    if (found) {
      if (!found.emailVerified && claims.emailVerified && claims.email === found.caller.email) {
        await this.users.markEmailVerified(found.caller.userId, claims.email);
      }
      return found;
    }
    if (!(await this.identities.link(claims))) {
      if (!needUser) return undefined;
      throw new AppError(ErrorCode.EMAIL_NOT_VERIFIED, undefined, { email: claims.email ?? null });
    }
    return lookup();
  }
}
