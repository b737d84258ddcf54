import { describe, expect, it } from '@jest/globals';
import { ConfigError, parseConfig, REQUIRED_IN_PRODUCTION } from './app-config.js';

describe('parseConfig', () => {
  it('has working defaults with an empty environment', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      port: 3000,
      databaseUrl: undefined,
      databasePoolMax: 20,
      smtpUrl: undefined,
      invitationTtlDays: 7,
      rateLimitPerKeyPerMin: 1200,
      rateLimitPublicPerMin: 100,
      rateLimitInvitesPerOrgPerHour: 1000,
      rateLimitOrgCreatesPerUserPerHour: 10,
      maxApiKeysPerUser: 25,
      publicAppUrl: 'http://localhost:3000',
      autoBootstrap: true,
    });
    expect(config.dataDir).toMatch(/\.data$/);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT must be an integer from 0 to 65535 (got "abc")'],
    [{ PORT: '70000' }, 'PORT must be an integer from 0 to 65535'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL must use one of postgres, postgresql'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL must be a URL'],
    [{ DATABASE_POOL_MAX: '0' }, 'DATABASE_POOL_MAX must be an integer from 1 to 1000'],
    [{ SMTP_URL: 'http://mail' }, 'SMTP_URL must use one of smtp, smtps'],
    [{ INVITATION_TTL_DAYS: '31' }, 'INVITATION_TTL_DAYS must be an integer from 1 to 30'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of'],
    [
      { NODE_ENV: 'production' },
      'DATABASE_URL, INVITATION_SECRET, WEBHOOK_SECRET_KEY are required when NODE_ENV=production',
    ],
    [
      { NODE_ENV: 'production', DATABASE_URL: 'postgres://x@h/db', WEBHOOK_SECRET_KEY: 'w'.repeat(32) },
      'INVITATION_SECRET is required when NODE_ENV=production',
    ],
    [
      { NODE_ENV: 'production', INVITATION_SECRET: 'x'.repeat(32), WEBHOOK_SECRET_KEY: 'w'.repeat(32) },
      'DATABASE_URL is required when NODE_ENV=production',
    ],
    [
      { NODE_ENV: 'production', DATABASE_URL: 'postgres://x@h/db', INVITATION_SECRET: 'x'.repeat(32) },
      'WEBHOOK_SECRET_KEY is required when NODE_ENV=production',
    ],
    [
      {
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://x@h/db',
        INVITATION_SECRET: 'x'.repeat(32),
        WEBHOOK_SECRET_KEY: 'w'.repeat(32),
        AUTO_BOOTSTRAP: 'true',
      },
      'AUTO_BOOTSTRAP cannot be true when NODE_ENV=production',
    ],
    [{ METRICS_PORT: '0' }, 'METRICS_PORT must be an integer from 1 to 65535'],
    [{ INVITATION_SECRET: 'short' }, 'INVITATION_SECRET must be at least 32 characters'],
    [{ MIGRATIONS_RUN: 'maybe' }, 'MIGRATIONS_RUN must be true or false'],
    [{ MAIL_FROM: 'a\r\nBcc: x@evil.test' }, 'MAIL_FROM must be a single line'],
    [{ PUBLIC_APP_URL: 'ftp://x' }, 'PUBLIC_APP_URL must use one of http, https'],
    [
      { RATE_LIMIT_ORG_CREATES_PER_USER_PER_HOUR: '0' },
      'RATE_LIMIT_ORG_CREATES_PER_USER_PER_HOUR must be an integer from 1 to 1000000',
    ],
    [
      { MAX_API_KEYS_PER_USER: 'many' },
      'MAX_API_KEYS_PER_USER must be an integer from 1 to 100000 (got "many")',
    ],
    [{ MAX_API_KEYS_PER_USER: '0' }, 'MAX_API_KEYS_PER_USER must be an integer from 1 to 100000'],
  ])('rejects %j with one clear message naming the variable', (env, message) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(message);
  });

  it('does not bootstrap a demo organization on an external database unless asked', () => {
    expect(parseConfig({ DATABASE_URL: 'postgres://x@h/db' }).autoBootstrap).toBe(false);
    expect(parseConfig({ DATABASE_URL: 'postgres://x@h/db', AUTO_BOOTSTRAP: 'true' }).autoBootstrap).toBe(
      true,
    );
  });

  it('in production needs every required variable and never bootstraps', () => {
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://x@h/db',
      INVITATION_SECRET: 'x'.repeat(32),
      WEBHOOK_SECRET_KEY: 'w'.repeat(32),
    };
    for (const name of REQUIRED_IN_PRODUCTION) {
      expect(() => parseConfig({ ...production, [name]: '' })).toThrow(
        `${name} is required when NODE_ENV=production`,
      );
    }
    expect(parseConfig(production)).toMatchObject({ autoBootstrap: false, metricsPort: undefined });
  });

  it('serves metrics only when METRICS_PORT is set', () => {
    expect(parseConfig({}).metricsPort).toBeUndefined();
    expect(parseConfig({ METRICS_PORT: '9464' }).metricsPort).toBe(9464);
  });

  it('strips trailing slashes from PUBLIC_APP_URL', () => {
    expect(parseConfig({ PUBLIC_APP_URL: 'https://app.example.com//' }).publicAppUrl).toBe(
      'https://app.example.com',
    );
  });
});

describe('the invitee page, the mail viewer and the link base', () => {
  it('builds links on the service own address when PUBLIC_APP_URL is unset, following HOST and PORT', () => {
    expect(parseConfig({ PORT: '8080' }).publicAppUrl).toBe('http://localhost:8080');
    expect(parseConfig({ HOST: '127.0.0.1', PORT: '4000' }).publicAppUrl).toBe('http://localhost:4000');
    expect(parseConfig({ HOST: 'invites.internal', PORT: '4000' }).publicAppUrl).toBe(
      'http://invites.internal:4000',
    );
    expect(parseConfig({ HOST: 'fd00::5', PORT: '4000' }).publicAppUrl).toBe('http://[fd00::5]:4000');
    expect(parseConfig({ PORT: '8080', PUBLIC_APP_URL: 'https://app.example.com' }).publicAppUrl).toBe(
      'https://app.example.com',
    );
  });

  it('serves the accept page by default only when PUBLIC_APP_URL is unset, and ACCEPT_PAGE_ENABLED overrides both ways', () => {
    expect(parseConfig({}).acceptPageEnabled).toBe(true);
    expect(parseConfig({ PUBLIC_APP_URL: 'https://app.example.com' }).acceptPageEnabled).toBe(false);
    expect(
      parseConfig({ PUBLIC_APP_URL: 'https://app.example.com', ACCEPT_PAGE_ENABLED: 'true' })
        .acceptPageEnabled,
    ).toBe(true);
    expect(parseConfig({ ACCEPT_PAGE_ENABLED: 'false' }).acceptPageEnabled).toBe(false);
    expect(() => parseConfig({ ACCEPT_PAGE_ENABLED: 'sometimes' })).toThrow(
      'ACCEPT_PAGE_ENABLED must be true or false',
    );
  });

  it('serves the mail viewer only without SMTP_URL and outside production', () => {
    expect(parseConfig({}).mailViewerEnabled).toBe(true);
    expect(parseConfig({ SMTP_URL: 'smtp://127.0.0.1:2525' }).mailViewerEnabled).toBe(false);
    const production = {
      NODE_ENV: 'production',
      INVITATION_SECRET: 'p'.repeat(40),
      DATABASE_URL: 'postgres://db/app',
      WEBHOOK_SECRET_KEY: 'w'.repeat(32),
    };
    expect(parseConfig({ ...production, AUTO_BOOTSTRAP: 'false' }).mailViewerEnabled).toBe(false);
  });
});
