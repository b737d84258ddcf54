import { createHash } from 'node:crypto';
import { randomBase62 } from '../ids/ids.js';

const KEY_PREFIX = 'oik_';
const KEY_SHAPE = /^oik_[A-Za-z0-9]{43}$/;

/** A new API key secret: `oik_` + 256 bits of CSPRNG output in base62. Shown once, never stored. */
export function generateApiKey(): string {
  return `${KEY_PREFIX}${randomBase62(32)}`;
}

export function isWellFormedApiKey(key: string): boolean {
  return KEY_SHAPE.test(key);
}

/**
 * SHA-256 is enough for a 256-bit random secret (no dictionary to attack), and it lets the key be
 * found by an indexed equality on the hash: no per-key comparison loop whose timing could leak.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** What listings show so a person can tell keys apart. */
export function displayPrefix(key: string): string {
  return key.slice(0, 10);
}
