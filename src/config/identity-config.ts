import { isIP } from 'node:net';

/**
 * OIDC access tokens and DNS for domain verification (API.md "OIDC access tokens", "Domains").
 * Kept apart from app-config.ts so that file stays about the service itself; parseConfig calls
 * these and throws the same ConfigError.
 */
export interface OidcConfig {
  /** The expected `iss`; discovery at `{issuer}/.well-known/openid-configuration` unless `jwksUrl` is set. */
  issuer: string;
  jwksUrl: string | undefined;
  audience: string[];
  algorithms: string[];
  clockToleranceSeconds: number;
}

type Env = Record<string, string | undefined>;

/** Asymmetric JWS algorithms only: `none` and HMAC (HS*) can never verify a token here. */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];

const DEFAULT_ALGORITHMS = 'RS256,ES256,EdDSA';

const set = (env: Env, name: string) => {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
};

function list(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function httpUrl(env: Env, name: string, fail: (message: string) => Error): string | undefined {
  const raw = set(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw fail(`${name} must be an http or https URL (got "${raw}")`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw fail(`${name} must use one of http, https (got "${parsed.protocol}")`);
  }
  return raw;
}

/** Undefined when neither OIDC_ISSUER nor OIDC_JWKS_URL is set: only API keys are accepted. */
export function parseOidcConfig(env: Env, fail: (message: string) => Error): OidcConfig | undefined {
  const issuer = httpUrl(env, 'OIDC_ISSUER', fail);
  const jwksUrl = httpUrl(env, 'OIDC_JWKS_URL', fail);
  if (!issuer && !jwksUrl) return undefined;
  // Without an expected issuer or audience, a token minted for another application would be accepted.
  if (!issuer) throw fail('OIDC_ISSUER is required with OIDC_JWKS_URL (the iss claim is checked against it)');
  const audience = list(set(env, 'OIDC_AUDIENCE') ?? '');
  if (audience.length === 0) throw fail('OIDC_AUDIENCE is required when OIDC_ISSUER is set');
  const algorithms = list(set(env, 'OIDC_ALGORITHMS') ?? DEFAULT_ALGORITHMS);
  const refused = algorithms.filter((a) => !ASYMMETRIC_ALGORITHMS.includes(a));
  if (refused.length > 0 || algorithms.length === 0) {
    throw fail(
      `OIDC_ALGORITHMS may list only ${ASYMMETRIC_ALGORITHMS.join(', ')} (got "${refused.join(',')}")`,
    );
  }
  const tolerance = set(env, 'OIDC_CLOCK_TOLERANCE_SECONDS') ?? '30';
  if (!/^\d+$/.test(tolerance) || Number(tolerance) > 600) {
    throw fail(`OIDC_CLOCK_TOLERANCE_SECONDS must be an integer from 0 to 600 (got "${tolerance}")`);
  }
  return { issuer, jwksUrl, audience, algorithms, clockToleranceSeconds: Number(tolerance) };
}

/**
 * DNS_SERVERS: comma-separated `host:port` (an IPv6 address in brackets, `[::1]:53`); a bare address
 * means port 53. Addresses, not names: a resolver must not need a resolver. Empty: the system's.
 */
export function parseDnsServers(env: Env, fail: (message: string) => Error): string[] {
  const servers = list(set(env, 'DNS_SERVERS') ?? '');
  for (const server of servers) {
    const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(server) ?? /^([^:]+)(?::(\d+))?$/.exec(server);
    const host = match?.[1] ?? server;
    const port = match?.[2];
    if (!isIP(host) || (port !== undefined && (Number(port) < 1 || Number(port) > 65535))) {
      throw fail(
        `DNS_SERVERS must be comma-separated IP addresses with optional ports, host:port (got "${server}")`,
      );
    }
  }
  return servers;
}
