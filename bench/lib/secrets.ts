import { createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * The app's ID, API-key and token formats, re-implemented for the bench (the bench is compiled on
 * its own and must not import src/). Same algorithms, so the baseline server pays the same CPU for
 * them as the app does: see src/common/ids/ids.ts, src/common/auth/api-key-secret.ts and
 * src/invitations/invitation-token.ts.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function randomBase62(bytes: number): string {
  let n = BigInt('0x' + randomBytes(bytes).toString('hex'));
  let out = '';
  const length = Math.ceil((bytes * 8) / Math.log2(62));
  for (let i = 0; i < length; i++) {
    out = BASE62[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out;
}

export function newId(prefix: string): string {
  return `${prefix}_${randomBase62(16)}`;
}

export function generateApiKey(): string {
  return `oik_${randomBase62(32)}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function signInvitationToken(secret: string, invitationId: string, version: number): string {
  const mac = createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${invitationId}.${version}`).digest('base64url');
  return `${invitationId}.${version}.${mac}`;
}

/** The keyset cursor of src/common/pagination/pagination.ts. */
export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify({ t: createdAt.toISOString(), i: id })).toString('base64url');
}
