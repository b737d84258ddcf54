import { describe, expect, it } from '@jest/globals';
import { ConfigError, parseConfig } from './app-config.js';

const OIDC = { OIDC_ISSUER: 'https://idp.example.test/realms/acme', OIDC_AUDIENCE: 'invitations-api' };

describe('OIDC and DNS configuration', () => {
  it('is off by default: only API keys, the system resolver', () => {
    expect(parseConfig({})).toMatchObject({ oidc: undefined, dnsServers: [] });
  });

  it('takes the issuer, audiences, algorithms and tolerance, with API.md defaults', () => {
    expect(parseConfig(OIDC).oidc).toEqual({
      issuer: OIDC.OIDC_ISSUER,
      jwksUrl: undefined,
      audience: ['invitations-api'],
      algorithms: ['RS256', 'ES256', 'EdDSA'],
      clockToleranceSeconds: 30,
    });
    expect(
      parseConfig({
        ...OIDC,
        OIDC_JWKS_URL: 'https://idp.example.test/keys',
        OIDC_AUDIENCE: 'a, b',
        OIDC_ALGORITHMS: 'PS256',
        OIDC_CLOCK_TOLERANCE_SECONDS: '0',
      }).oidc,
    ).toMatchObject({
      jwksUrl: 'https://idp.example.test/keys',
      audience: ['a', 'b'],
      algorithms: ['PS256'],
      clockToleranceSeconds: 0,
    });
  });

  it('takes DNS_SERVERS as addresses with optional ports', () => {
    expect(parseConfig({ DNS_SERVERS: '127.0.0.1:5353, [::1]:53,192.0.2.1' }).dnsServers).toEqual([
      '127.0.0.1:5353',
      '[::1]:53',
      '192.0.2.1',
    ]);
  });

  it.each([
    [{ OIDC_ISSUER: OIDC.OIDC_ISSUER }, 'OIDC_AUDIENCE is required'],
    [
      { OIDC_JWKS_URL: 'https://idp.example.test/keys', OIDC_AUDIENCE: 'x' },
      'OIDC_ISSUER is required with OIDC_JWKS_URL',
    ],
    [{ ...OIDC, OIDC_ISSUER: 'ftp://idp' }, 'OIDC_ISSUER must use one of http, https'],
    [{ ...OIDC, OIDC_ALGORITHMS: 'RS256,HS256' }, 'OIDC_ALGORITHMS may list only'],
    [{ ...OIDC, OIDC_ALGORITHMS: 'none' }, 'OIDC_ALGORITHMS may list only'],
    [{ ...OIDC, OIDC_CLOCK_TOLERANCE_SECONDS: '-1' }, 'OIDC_CLOCK_TOLERANCE_SECONDS must be an integer'],
    [{ DNS_SERVERS: 'dns.example.test:53' }, 'DNS_SERVERS must be comma-separated IP addresses'],
    [{ DNS_SERVERS: '127.0.0.1:70000' }, 'DNS_SERVERS must be comma-separated IP addresses'],
  ])('refuses %j with one message naming the variable', (env, message) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(message);
  });
});
