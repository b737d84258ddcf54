import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  errors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { AppConfig } from '../../../config/app-config.js';
import { APP_CONFIG } from '../../../config/config.module.js';
import { OidcConfig } from '../../../config/identity-config.js';
import { AppError } from '../../errors/app-error.js';
import { ErrorCode } from '../../errors/error-code.js';

/** What the service takes from a verified access token. */
export interface TokenClaims {
  issuer: string;
  subject: string;
  /** Lowercased and trimmed, as users' emails are stored; undefined when absent or not an email. */
  email: string | undefined;
  emailVerified: boolean;
  name: string | undefined;
}

/** Three base64url segments: a compact JWS. API keys (`oik_…`) never contain a dot. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export function looksLikeJwt(credential: string): boolean {
  return COMPACT_JWS.test(credential);
}

/** An unknown `kid` refetches the key set at most this often (API.md: once a minute), via jose's cooldown. */
const REFETCH_COOLDOWN_MS = 60_000;
/** Keys are refreshed in the background of a request this often; older keys still serve if the IdP is down. */
const CACHE_MAX_AGE_MS = 10 * 60_000;
const FETCH_TIMEOUT_MS = 5_000;
/**
 * After a failed fetch (discovery or keys), no new fetch for this long: jose's cooldown only starts
 * after a success, so without this every request with an unknown `kid` would hit a provider that is
 * down. Short, so a provider that comes back is used again soon.
 */
const FAILURE_BACKOFF_MS = 5_000;

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;

/** How long a verified token is answered from memory at most, and how many are kept. */
const VERIFIED_TTL_MS = 60_000;
const VERIFIED_MAX = 10_000;

class KeysUnavailable extends Error {}

/**
 * Verifies OIDC access tokens of the deployment's identity provider with `jose`: signature against
 * the provider's JWKS (found by discovery from OIDC_ISSUER, or OIDC_JWKS_URL), `iss`, `aud`, `exp`,
 * `nbf` with OIDC_CLOCK_TOLERANCE_SECONDS, and only the asymmetric OIDC_ALGORITHMS (so `none` and
 * an HMAC "signed" with the public key are refused before any key is looked up).
 */
@Injectable()
export class OidcVerifier {
  private readonly logger = new Logger('OidcVerifier');
  private readonly oidc: OidcConfig | undefined;
  private keys: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  private fetchesBlockedUntil = 0;
  /** Tokens verified lately, oldest first (a Map keeps insertion order). */
  private readonly verified = new Map<string, { claims: TokenClaims; expiresAt: number; until: number }>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.oidc = config.oidc;
  }

  get enabled(): boolean {
    return this.oidc !== undefined;
  }

  /** The token's claims, or AppError TOKEN_EXPIRED / INVALID_TOKEN (401), SERVICE_UNAVAILABLE (503). */
  async verify(token: string): Promise<TokenClaims> {
    const oidc = this.oidc;
    if (!oidc) throw new AppError(ErrorCode.INVALID_TOKEN);
    const now = Date.now();
    const known = this.verified.get(token);
    if (known && now < known.until) return known.claims;
    if (known) {
      this.verified.delete(token);
      // Past its exp (and the tolerance): what jose would say of it now.
      if (now >= known.expiresAt) throw new AppError(ErrorCode.TOKEN_EXPIRED);
    }
    const { claims, exp } = await this.verifyWithKeys(token, oidc);
    this.remember(token, claims, now, exp * 1000 + oidc.clockToleranceSeconds * 1000);
    return claims;
  }

  /**
   * A client sends the same access token with every request until it expires; its signature and
   * claims were checked once, so the exact same string is answered from memory until its `exp`
   * (with the tolerance), for at most VERIFIED_TTL_MS (a key withdrawn from the JWKS stops being
   * honoured within that). The RS256 check was 0.12 ms of CPU a request, a fifth of a seed 003 GET.
   */
  private remember(token: string, claims: TokenClaims, now: number, expiresAt: number): void {
    if (this.verified.size >= VERIFIED_MAX) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { claims, expiresAt, until: Math.min(expiresAt, now + VERIFIED_TTL_MS) });
  }

  private async verifyWithKeys(
    token: string,
    oidc: OidcConfig,
  ): Promise<{ claims: TokenClaims; exp: number }> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.getKey, {
        issuer: oidc.issuer,
        audience: oidc.audience,
        algorithms: oidc.algorithms,
        clockTolerance: oidc.clockToleranceSeconds,
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (error) {
      throw this.toAppError(error);
    }
    const email = typeof payload.email === 'string' ? payload.email.trim().toLowerCase() : undefined;
    const validEmail =
      email !== undefined && email.length <= 254 && EMAIL_SHAPE.test(email) ? email : undefined;
    const claims = {
      issuer: payload.iss!,
      subject: payload.sub!,
      email: validEmail,
      // Some providers send the claim as a string.
      emailVerified:
        validEmail !== undefined && (payload.email_verified === true || payload.email_verified === 'true'),
      name:
        typeof payload.name === 'string' && payload.name.trim()
          ? payload.name.trim().slice(0, 255)
          : undefined,
    };
    return { claims, exp: payload.exp! };
  }

  /**
   * The key for a token: jose's remote set (cached, refetched on an unknown `kid` after the cooldown).
   * If a fetch fails, the keys fetched before still verify (a provider outage must not log everyone
   * out); with none fetched yet, the answer is 503.
   */
  private readonly getKey: JWTVerifyGetKey = async (header, token) => {
    let remote: Awaited<NonNullable<typeof this.keys>>;
    try {
      remote = await this.remoteKeys();
    } catch (error) {
      throw new KeysUnavailable('discovery failed', { cause: error });
    }
    try {
      return await remote(header, token);
    } catch (error) {
      if (isKeyLookupError(error)) throw error;
      const cached = remote.jwks();
      if (!cached) throw new KeysUnavailable('JWKS unavailable', { cause: error });
      return createLocalJWKSet(cached)(header, token);
    }
  };

  private remoteKeys(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    this.keys ??= this.discover().then(
      (url) =>
        createRemoteJWKSet(url, {
          cooldownDuration: REFETCH_COOLDOWN_MS,
          cacheMaxAge: CACHE_MAX_AGE_MS,
          timeoutDuration: FETCH_TIMEOUT_MS,
          [customFetch]: this.guardedFetch,
        }),
      (error: unknown) => {
        // The next request tries discovery again, after the backoff.
        this.keys = undefined;
        this.fetchesBlockedUntil = Math.max(this.fetchesBlockedUntil, Date.now() + FAILURE_BACKOFF_MS);
        throw error;
      },
    );
    return this.keys;
  }

  /** OIDC_JWKS_URL, or the `jwks_uri` of the issuer's discovery document (whose `issuer` must match). */
  private async discover(): Promise<URL> {
    const oidc = this.oidc!;
    if (oidc.jwksUrl) return new URL(oidc.jwksUrl);
    const response = await this.guardedFetch(
      `${oidc.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`,
      {
        headers: { accept: 'application/json' },
        redirect: 'manual',
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      },
    );
    if (response.status !== 200) throw new Error(`discovery answered ${response.status}`);
    const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (document.issuer !== oidc.issuer) throw new Error(`discovery names issuer ${String(document.issuer)}`);
    if (typeof document.jwks_uri !== 'string') throw new Error('discovery has no jwks_uri');
    return new URL(document.jwks_uri);
  }

  /** fetch, refused without a network call during the backoff after a failure (see FAILURE_BACKOFF_MS). */
  private readonly guardedFetch = async (url: string, init: RequestInit): Promise<Response> => {
    if (Date.now() < this.fetchesBlockedUntil)
      throw new Error('identity provider fetch backing off after a failure');
    try {
      const response = await fetch(url, init);
      if (response.status !== 200) this.fetchFailed(url, `status ${response.status}`);
      return response;
    } catch (error) {
      this.fetchFailed(url, (error as Error).message);
      throw error;
    }
  };

  private fetchFailed(url: string, reason: string): void {
    this.fetchesBlockedUntil = Date.now() + FAILURE_BACKOFF_MS;
    this.logger.warn(`identity provider fetch of ${url} failed: ${reason}`);
  }

  private toAppError(error: unknown): unknown {
    if (error instanceof KeysUnavailable) {
      this.logger.warn(`OIDC keys unavailable: ${error.message}`);
      return new AppError(
        ErrorCode.SERVICE_UNAVAILABLE,
        'The identity provider keys are unavailable; retry later.',
      );
    }
    if (error instanceof errors.JWTExpired) return new AppError(ErrorCode.TOKEN_EXPIRED);
    if (error instanceof errors.JWTClaimValidationFailed) {
      return new AppError(ErrorCode.INVALID_TOKEN, undefined, { reason: 'claim', claim: error.claim });
    }
    if (error instanceof errors.JOSEError) {
      return new AppError(ErrorCode.INVALID_TOKEN, undefined, { reason: REASONS[error.code] ?? 'invalid' });
    }
    return error;
  }
}

/** A failed lookup in keys that were fetched fine: the token is at fault, not the provider. */
function isKeyLookupError(error: unknown): boolean {
  return (
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys ||
    error instanceof errors.JOSENotSupported
  );
}

const REASONS: Record<string, string> = {
  [errors.JWSSignatureVerificationFailed.code]: 'signature',
  [errors.JOSEAlgNotAllowed.code]: 'algorithm',
  [errors.JWKSNoMatchingKey.code]: 'unknown_key',
  [errors.JWSInvalid.code]: 'malformed',
  [errors.JWTInvalid.code]: 'malformed',
};
