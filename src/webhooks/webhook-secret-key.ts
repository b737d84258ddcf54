import { randomBytes } from 'node:crypto';
import { AppConfig } from '../config/app-config.js';
import { loadServerSecret } from '../config/server-secret.js';

/** The key webhook secrets are sealed under: WEBHOOK_SECRET_KEY (kept under DATA_DIR outside production). */
export function loadWebhookSecretKey(config: Pick<AppConfig, 'webhookSecretKey' | 'dataDir'>): Buffer {
  return loadServerSecret(config.webhookSecretKey, config.dataDir, 'webhook-secret-key');
}

/** A new signing secret in the Standard Webhooks format: `whsec_` + base64 of 32 random bytes. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
