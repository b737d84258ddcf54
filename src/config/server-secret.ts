import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppConfig } from '../config/app-config.js';

/**
 * The server secret behind invitation tokens: INVITATION_SECRET, or (outside production) one
 * generated on first start and kept at `DATA_DIR/invitation-secret`, so links survive restarts.
 */
export function loadInvitationSecret(config: Pick<AppConfig, 'invitationSecret' | 'dataDir'>): Buffer {
  if (config.invitationSecret) return Buffer.from(config.invitationSecret, 'utf8');
  const file = path.join(config.dataDir, 'invitation-secret');
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
