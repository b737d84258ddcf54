import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { encodeBase62, idPattern, newId, randomBase62 } from './ids.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The plain definition: the bytes as one big number, in base 62, at the width 8n/log2(62) rounds up to. */
function reference(bytes: Buffer): string {
  let n = BigInt('0x' + bytes.toString('hex'));
  let out = '';
  for (let i = 0; i < Math.ceil((bytes.length * 8) / Math.log2(62)); i++) {
    out = BASE62[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out;
}

describe('ids', () => {
  it('encodes bytes as their number in base 62, at a fixed width (edges and 2,000 random inputs)', () => {
    const inputs = [Buffer.alloc(16), Buffer.alloc(16, 0xff), Buffer.alloc(32, 0xff), Buffer.alloc(4, 1)];
    for (let i = 0; i < 2000; i++) inputs.push(randomBytes([4, 16, 24, 32][i % 4]));
    for (const input of inputs) expect(encodeBase62(input)).toBe(reference(input));
    expect(encodeBase62(Buffer.alloc(16))).toBe('0'.repeat(22));
  });

  it('makes prefixed IDs of 22 base62 characters, all distinct, across refills of the random pool', () => {
    const ids = Array.from({ length: 1000 }, () => newId('inv'));
    for (const id of ids) expect(id).toMatch(/^inv_[0-9A-Za-z]{22}$/);
    expect(idPattern('inv').test(ids[0])).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(randomBase62(32)).toMatch(/^[0-9A-Za-z]{43}$/);
  });
});
