import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

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
  const mac = createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(`${invitationId}.${version}`)
    .digest('base64url');
  return `${invitationId}.${version}.${mac}`;
}

const cursorKeys = new Map<string, Buffer>();

function cursorMac(secret: string, list: string, payload: string): Buffer {
  let key = cursorKeys.get(secret);
  if (!key) {
    key = createHmac('sha256', Buffer.from(secret, 'utf8')).update('pagination-cursor-key-v1').digest();
    cursorKeys.set(secret, key);
  }
  return createHmac('sha256', key).update(`${list}\n${payload}`).digest().subarray(0, 16);
}

/** The signed keyset cursor of src/common/pagination/cursor-codec.ts; `list` is e.g. `invitations:<org id>`. */
export function encodeCursor(secret: string, list: string, createdAt: Date, id: string): string {
  const payload = Buffer.from(JSON.stringify({ t: createdAt.toISOString(), i: id })).toString('base64url');
  return `${payload}.${cursorMac(secret, list, payload).toString('base64url')}`;
}

/** The position of a cursor `encodeCursor` made for this list, or undefined (the app's checks, same cost). */
export function decodeCursor(
  secret: string,
  list: string,
  cursor: string,
): { t: string; i: string } | undefined {
  const match = /^([A-Za-z0-9_-]{1,160})\.([A-Za-z0-9_-]{22})$/.exec(cursor);
  if (!match) return undefined;
  const given = Buffer.from(match[2]);
  const expected = Buffer.from(cursorMac(secret, list, match[1]).toString('base64url'));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const position = JSON.parse(Buffer.from(match[1], 'base64url').toString('utf8')) as {
    t: string;
    i: string;
  };
  return new Date(position.t).toISOString() === position.t ? position : undefined;
}
