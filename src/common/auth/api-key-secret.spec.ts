import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { displayPrefix, generateApiKey, hashApiKey, isWellFormedApiKey } from './api-key-secret.js';

describe('API key secrets', () => {
  it('generates oik_ + 43 base62 characters (256 bits), different every time', () => {
    const keys = Array.from({ length: 50 }, generateApiKey);
    for (const key of keys) expect(key).toMatch(/^oik_[A-Za-z0-9]{43}$/);
    expect(new Set(keys).size).toBe(50);
  });

  it('accepts exactly that shape', () => {
    const key = generateApiKey();
    expect(isWellFormedApiKey(key)).toBe(true);
    for (const bad of [
      '',
      key.slice(0, -1),
      `${key}x`,
      key.replace('oik_', 'oIk_'),
      `x${key}`,
      `${key.slice(0, -1)}-`,
    ])
      expect(isWellFormedApiKey(bad)).toBe(false);
  });

  it('hashes with SHA-256, hex', () => {
    const key = 'oik_' + 'a'.repeat(43);
    expect(hashApiKey(key)).toBe(createHash('sha256').update(key).digest('hex'));
    expect(hashApiKey(key)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('shows the first ten characters so a person can tell keys apart', () => {
    expect(displayPrefix('oik_abcdefghijk')).toBe('oik_abcdef');
  });
});
