import * as path from 'node:path';
import { OidcConfig, parseDnsServers, parseOidcConfig } from './identity-config.js';
import { ownBaseUrl } from './own-base-url.js';

/** Typed, validated configuration. Built once from the environment by `parseConfig`. */
export interface AppConfig {
  nodeEnv: string;
  port: number;
  host: string;
  /** Unset: no metrics listener (GET /metrics is never served on the API port). */
  metricsPort: number | undefined;
  /** Unset: an embedded PostgreSQL is started under `dataDir`. */
  databaseUrl: string | undefined;
  /** Connections in the pool behind TypeORM (requests; the job runner has its own). */
  databasePoolMax: number;
  dataDir: string;
  migrationsRun: boolean;
  /** Unset: messages are written as `.eml` files under `dataDir/mail`. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Base of invitation links: PUBLIC_APP_URL, or without it the service's own address (HOST/PORT). */
  publicAppUrl: string;
  /** Serve the invitee's page at /user/register (default: only when PUBLIC_APP_URL is unset). */
  acceptPageEnabled: boolean;
  /** Serve /dev/mail, the `.eml` viewer: only without SMTP_URL and outside production. */
  mailViewerEnabled: boolean;
  /** Unset outside production: generated once and kept under `dataDir`. */
  invitationSecret: string | undefined;
  invitationTtlDays: number;
  logLevel: string;
  redisUrl: string | undefined;
  /** Per user: all of a user's keys share it (the name is the contract's). */
  rateLimitPerKeyPerMin: number;
  rateLimitPublicPerMin: number;
  /** Every email sent for an organization counts: creates and resends. */
  rateLimitInvitesPerOrgPerHour: number;
  rateLimitOrgCreatesPerUserPerHour: number;
  /** Unrevoked keys a user may hold at once. */
  maxApiKeysPerUser: number;
  resendCooldownSeconds: number;
  mailWorkerEnabled: boolean;
  mailPollIntervalMs: number;
  mailMaxAttempts: number;
  mailRetryBaseMs: number;
  corsOrigins: string[];
  /** With the embedded database and an empty store, create a demo organization at start. */
  autoBootstrap: boolean;
  /** Unset: only API keys authenticate. */
  oidc: OidcConfig | undefined;
  /** Resolvers for domain verification (`host:port`); empty: the system's. */
  dnsServers: string[];
  /** Runs the job queue's worker (webhook deliveries, periodic jobs) in this process. */
  jobsEnabled: boolean;
  jobsPollIntervalMs: number;
  /** Unset outside production: generated once and kept under `dataDir`. */
  webhookSecretKey: string | undefined;
  webhookAllowHttp: boolean;
  webhookAllowPrivateNetworks: boolean;
  /** Seconds to wait before each retry; one more failure after the last one fails the delivery. */
  webhookRetrySchedule: number[];
  webhookDisableAfterHours: number;
  webhookTimeoutMs: number;
  eventRetentionDays: number;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string, fallback: string): string {
  const v = env[name];
  return v === undefined || v === '' ? fallback : v;
}

function optional(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
  }
  return Number(raw);
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false (got "${raw}")`);
}

function url(env: Env, name: string, protocols: string[], fallback?: string): string | undefined {
  const raw = optional(env, name) ?? fallback;
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL (${protocols.join(', ')}) (got "${raw}")`);
  }
  if (!protocols.includes(parsed.protocol.replace(/:$/, ''))) {
    throw new ConfigError(`${name} must use one of ${protocols.join(', ')} (got "${parsed.protocol}")`);
  }
  return raw;
}

/** A comma-separated list of positive seconds (decimals allowed, so tests can retry within a second). */
function secondsList(env: Env, name: string, fallback: string): number[] {
  const raw = str(env, name, fallback);
  const values = raw.split(',').map((s) => s.trim());
  if (!values.every((v) => /^\d+(\.\d+)?$/.test(v) && Number(v) > 0 && Number(v) <= 30 * 86_400)) {
    throw new ConfigError(
      `${name} must be comma-separated seconds, each above 0 and at most 2592000 (got "${raw}")`,
    );
  }
  return values.map(Number);
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * What production cannot run without: no embedded database, no secret generated on local disk.
 * The one list.
 */
export const REQUIRED_IN_PRODUCTION = ['DATABASE_URL', 'INVITATION_SECRET', 'WEBHOOK_SECRET_KEY'];

/** One line naming every required variable that is missing, so an operator fixes them all at once. */
function assertProductionRequirements(env: Env): void {
  const missing = REQUIRED_IN_PRODUCTION.filter((name) => optional(env, name) === undefined);
  if (missing.length === 0) return;
  const verb = missing.length === 1 ? 'is' : 'are';
  throw new ConfigError(`${missing.join(', ')} ${verb} required when NODE_ENV=production`);
}

/** Validates the environment; throws one ConfigError naming the first bad variable. */
export function parseConfig(env: Env = process.env): AppConfig {
  const nodeEnv = str(env, 'NODE_ENV', 'development');
  const production = nodeEnv === 'production';
  if (production) assertProductionRequirements(env);
  const invitationSecret = optional(env, 'INVITATION_SECRET');
  if (invitationSecret !== undefined && invitationSecret.length < 32) {
    throw new ConfigError('INVITATION_SECRET must be at least 32 characters');
  }
  const webhookSecretKey = optional(env, 'WEBHOOK_SECRET_KEY');
  if (webhookSecretKey !== undefined && webhookSecretKey.length < 32) {
    throw new ConfigError('WEBHOOK_SECRET_KEY must be at least 32 characters');
  }
  const logLevel = str(env, 'LOG_LEVEL', 'info');
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }
  const mailFrom = str(env, 'MAIL_FROM', 'Invitations <no-reply@invitations.local>');
  if (/[\r\n]/.test(mailFrom)) throw new ConfigError('MAIL_FROM must be a single line');
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres', 'postgresql']);
  const autoBootstrap = bool(env, 'AUTO_BOOTSTRAP', databaseUrl === undefined);
  // The demo bootstrap prints an Owner key to stdout, which production ships to its log store.
  if (production && autoBootstrap) {
    throw new ConfigError('AUTO_BOOTSTRAP cannot be true when NODE_ENV=production (use npm run bootstrap)');
  }
  const host = str(env, 'HOST', '0.0.0.0');
  const port = int(env, 'PORT', 3000, 0, 65535);
  const publicAppUrl = url(env, 'PUBLIC_APP_URL', ['http', 'https']);
  const smtpUrl = url(env, 'SMTP_URL', ['smtp', 'smtps']);

  return {
    nodeEnv,
    port,
    host,
    metricsPort:
      optional(env, 'METRICS_PORT') === undefined ? undefined : int(env, 'METRICS_PORT', 0, 1, 65535),
    databaseUrl,
    databasePoolMax: int(env, 'DATABASE_POOL_MAX', 20, 1, 1000),
    dataDir: path.resolve(str(env, 'DATA_DIR', './.data')),
    migrationsRun: bool(env, 'MIGRATIONS_RUN', true),
    smtpUrl,
    mailFrom,
    publicAppUrl: (publicAppUrl ?? ownBaseUrl(host, port)).replace(/\/+$/, ''),
    acceptPageEnabled: bool(env, 'ACCEPT_PAGE_ENABLED', publicAppUrl === undefined),
    mailViewerEnabled: smtpUrl === undefined && nodeEnv !== 'production',
    invitationSecret,
    invitationTtlDays: int(env, 'INVITATION_TTL_DAYS', 7, 1, 30),
    logLevel,
    redisUrl: url(env, 'REDIS_URL', ['redis', 'rediss']),
    rateLimitPerKeyPerMin: int(env, 'RATE_LIMIT_PER_KEY_PER_MIN', 1200, 1, 1_000_000),
    rateLimitPublicPerMin: int(env, 'RATE_LIMIT_PUBLIC_PER_MIN', 100, 1, 1_000_000),
    rateLimitInvitesPerOrgPerHour: int(env, 'RATE_LIMIT_INVITES_PER_ORG_PER_HOUR', 1000, 1, 10_000_000),
    rateLimitOrgCreatesPerUserPerHour: int(env, 'RATE_LIMIT_ORG_CREATES_PER_USER_PER_HOUR', 10, 1, 1_000_000),
    maxApiKeysPerUser: int(env, 'MAX_API_KEYS_PER_USER', 25, 1, 100_000),
    resendCooldownSeconds: int(env, 'RESEND_COOLDOWN_SECONDS', 60, 0, 86_400),
    mailWorkerEnabled: bool(env, 'MAIL_WORKER_ENABLED', true),
    mailPollIntervalMs: int(env, 'MAIL_POLL_INTERVAL_MS', 1000, 10, 600_000),
    mailMaxAttempts: int(env, 'MAIL_MAX_ATTEMPTS', 8, 1, 100),
    mailRetryBaseMs: int(env, 'MAIL_RETRY_BASE_MS', 2000, 1, 3_600_000),
    corsOrigins: str(env, 'CORS_ORIGINS', '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    autoBootstrap,
    oidc: parseOidcConfig(env, (message) => new ConfigError(message)),
    dnsServers: parseDnsServers(env, (message) => new ConfigError(message)),
    jobsEnabled: bool(env, 'JOBS_ENABLED', true),
    jobsPollIntervalMs: int(env, 'JOBS_POLL_INTERVAL_MS', 2000, 50, 600_000),
    webhookSecretKey,
    webhookAllowHttp: bool(env, 'WEBHOOK_ALLOW_HTTP', false),
    webhookAllowPrivateNetworks: bool(env, 'WEBHOOK_ALLOW_PRIVATE_NETWORKS', false),
    webhookRetrySchedule: secondsList(
      env,
      'WEBHOOK_RETRY_SCHEDULE',
      '5,300,1800,7200,18000,36000,36000,36000,36000,36000,36000',
    ),
    webhookDisableAfterHours: int(env, 'WEBHOOK_DISABLE_AFTER_HOURS', 120, 0, 100_000),
    webhookTimeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 10, 60_000),
    eventRetentionDays: int(env, 'EVENT_RETENTION_DAYS', 365, 1, 36_500),
  };
}
