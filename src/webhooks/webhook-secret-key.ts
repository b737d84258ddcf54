import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppConfig } from '../config/app-config.js';

/**
 * The key webhook secrets are sealed under: WEBHOOK_SECRET_KEY, or (outside production, where it is
 * required) one generated on first start and kept at `DATA_DIR/webhook-secret-key`, like the
 * invitation secret, so sealed secrets open after a restart.
 */
export function loadWebhookSecretKey(config: Pick<AppConfig, 'webhookSecretKey' | 'dataDir'>): Buffer {
  if (config.webhookSecretKey) return Buffer.from(config.webhookSecretKey, 'utf8');
  const file = path.join(config.dataDir, 'webhook-secret-key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(config.dataDir, { recursive: true });
    try {
      fs.writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another instance on the same DATA_DIR wrote it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'utf8');
}

/** A new signing secret in the Standard Webhooks format: `whsec_` + base64 of 32 random bytes. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
