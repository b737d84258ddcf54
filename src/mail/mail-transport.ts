import * as path from 'node:path';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { AppConfig } from '../config/app-config.js';
import { EmlFileTransport } from './eml-file-transport.js';

/** An unreachable or silent server must fail a send quickly, so the worker can retry it later. */
const SMTP_TIMEOUTS = {
  connectionTimeout: 10_000,
  greetingTimeout: 10_000,
  socketTimeout: 30_000,
  dnsTimeout: 10_000,
};

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * SMTP_URL set: nodemailer's SMTP transport for that URL (query parameters such as `?requireTLS=true`
 * still apply). A plain `smtp://` URL to a loopback host does not attempt STARTTLS: the traffic never
 * leaves the machine, and local relays and test servers rarely have a certificate.
 * SMTP_URL unset: `.eml` files under `<DATA_DIR>/mail`.
 */
export function mailTransport(
  config: Pick<AppConfig, 'smtpUrl' | 'dataDir'>,
): SMTPTransport.Options | EmlFileTransport {
  if (!config.smtpUrl) return new EmlFileTransport(path.join(config.dataDir, 'mail'));
  const url = new URL(config.smtpUrl);
  const plainLoopback = url.protocol === 'smtp:' && LOOPBACK_HOSTS.has(url.hostname);
  return {
    url: config.smtpUrl,
    ...SMTP_TIMEOUTS,
    ...(plainLoopback ? { ignoreTLS: true } : {}),
  } as SMTPTransport.Options;
}

/** The SMTP password, raw and decoded, so error messages can never echo it. */
export function smtpSecrets(config: Pick<AppConfig, 'smtpUrl'>): string[] {
  if (!config.smtpUrl) return [];
  const password = new URL(config.smtpUrl).password;
  if (!password) return [];
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {
    // a malformed escape: only the raw form can appear
  }
  return [...new Set([password, decoded])];
}
