import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppConfig } from '../config/app-config.js';

/**
 * A server secret: the configured value, or (outside production, where each is required) one
 * generated on first start and kept at `DATA_DIR/<file>`, so what it signed or sealed still
 * verifies after a restart.
 */
export function loadServerSecret(configured: string | undefined, dataDir: string, file: string): Buffer {
  if (configured) return Buffer.from(configured, 'utf8');
  const kept = path.join(dataDir, file);
  if (!fs.existsSync(kept)) {
    fs.mkdirSync(dataDir, { recursive: true });
    try {
      fs.writeFileSync(kept, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another instance on the same DATA_DIR wrote it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return Buffer.from(fs.readFileSync(kept, 'utf8').trim(), 'utf8');
}

/** The secret behind invitation tokens (and the keys derived from it): INVITATION_SECRET. */
export function loadInvitationSecret(config: Pick<AppConfig, 'invitationSecret' | 'dataDir'>): Buffer {
  return loadServerSecret(config.invitationSecret, config.dataDir, 'invitation-secret');
}
