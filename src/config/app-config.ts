import * as path from 'node:path';

/** Typed, validated configuration. Built once from the environment by `parseConfig`. */
export interface AppConfig {
  nodeEnv: string;
  port: number;
  host: string;
  /** Unset: an embedded PostgreSQL is started under `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  migrationsRun: boolean;
  /** Unset: messages are written as `.eml` files under `dataDir/mail`. */
  smtpUrl: string | undefined;
  mailFrom: string;
  publicAppUrl: string;
  /** Unset outside production: generated once and kept under `dataDir`. */
  invitationSecret: string | undefined;
  invitationTtlDays: number;
  logLevel: string;
  redisUrl: string | undefined;
  rateLimitPerKeyPerMin: number;
  rateLimitPublicPerMin: number;
  rateLimitInvitesPerOrgPerHour: number;
  resendCooldownSeconds: number;
  mailWorkerEnabled: boolean;
  mailPollIntervalMs: number;
  mailMaxAttempts: number;
  mailRetryBaseMs: number;
  corsOrigins: string[];
  /** With the embedded database and an empty store, create a demo organization at start. */
  autoBootstrap: boolean;
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
    throw new ConfigError(`${name} must be comma-separated seconds, each above 0 and at most 2592000 (got "${raw}")`);
  }
  return values.map(Number);
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Validates the environment; throws one ConfigError naming the first bad variable. */
export function parseConfig(env: Env = process.env): AppConfig {
  const nodeEnv = str(env, 'NODE_ENV', 'development');
  const invitationSecret = optional(env, 'INVITATION_SECRET');
  if (nodeEnv === 'production' && !invitationSecret) {
    throw new ConfigError('INVITATION_SECRET is required when NODE_ENV=production');
  }
  if (invitationSecret !== undefined && invitationSecret.length < 32) {
    throw new ConfigError('INVITATION_SECRET must be at least 32 characters');
  }
  const webhookSecretKey = optional(env, 'WEBHOOK_SECRET_KEY');
  if (nodeEnv === 'production' && !webhookSecretKey) {
    throw new ConfigError('WEBHOOK_SECRET_KEY is required when NODE_ENV=production');
  }
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

  return {
    nodeEnv,
    port: int(env, 'PORT', 3000, 0, 65535),
    host: str(env, 'HOST', '0.0.0.0'),
    databaseUrl,
    dataDir: path.resolve(str(env, 'DATA_DIR', './.data')),
    migrationsRun: bool(env, 'MIGRATIONS_RUN', true),
    smtpUrl: url(env, 'SMTP_URL', ['smtp', 'smtps']),
    mailFrom,
    publicAppUrl: url(env, 'PUBLIC_APP_URL', ['http', 'https'], 'http://localhost:3000')!.replace(/\/+$/, ''),
    invitationSecret,
    invitationTtlDays: int(env, 'INVITATION_TTL_DAYS', 7, 1, 30),
    logLevel,
    redisUrl: url(env, 'REDIS_URL', ['redis', 'rediss']),
    rateLimitPerKeyPerMin: int(env, 'RATE_LIMIT_PER_KEY_PER_MIN', 1200, 1, 1_000_000),
    rateLimitPublicPerMin: int(env, 'RATE_LIMIT_PUBLIC_PER_MIN', 100, 1, 1_000_000),
    rateLimitInvitesPerOrgPerHour: int(env, 'RATE_LIMIT_INVITES_PER_ORG_PER_HOUR', 1000, 1, 10_000_000),
    resendCooldownSeconds: int(env, 'RESEND_COOLDOWN_SECONDS', 60, 0, 86_400),
    mailWorkerEnabled: bool(env, 'MAIL_WORKER_ENABLED', true),
    mailPollIntervalMs: int(env, 'MAIL_POLL_INTERVAL_MS', 1000, 10, 600_000),
    mailMaxAttempts: int(env, 'MAIL_MAX_ATTEMPTS', 8, 1, 100),
    mailRetryBaseMs: int(env, 'MAIL_RETRY_BASE_MS', 2000, 1, 3_600_000),
    corsOrigins: str(env, 'CORS_ORIGINS', '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    autoBootstrap: bool(env, 'AUTO_BOOTSTRAP', databaseUrl === undefined),
    jobsEnabled: bool(env, 'JOBS_ENABLED', true),
    jobsPollIntervalMs: int(env, 'JOBS_POLL_INTERVAL_MS', 2000, 50, 600_000),
    webhookSecretKey,
    webhookAllowHttp: bool(env, 'WEBHOOK_ALLOW_HTTP', false),
    webhookAllowPrivateNetworks: bool(env, 'WEBHOOK_ALLOW_PRIVATE_NETWORKS', false),
    webhookRetrySchedule: secondsList(env, 'WEBHOOK_RETRY_SCHEDULE', '5,300,1800,7200,18000,36000,36000,36000,36000,36000,36000'),
    webhookDisableAfterHours: int(env, 'WEBHOOK_DISABLE_AFTER_HOURS', 120, 0, 100_000),
    webhookTimeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 10, 60_000),
    eventRetentionDays: int(env, 'EVENT_RETENTION_DAYS', 365, 1, 36_500),
  };
}
