import { describe, expect, it } from '@jest/globals';
import { SealedBox } from './sealed-box.js';

describe('SealedBox', () => {
  const box = new SealedBox('a server secret of at least thirty-two characters', 'test');

  it('opens what it sealed, and never shows the plaintext in the sealed form', () => {
    const sealed = box.seal('{"api_key":"oik_secret"}');
    expect(sealed).not.toContain('oik_secret');
    expect(box.open(sealed)).toBe('{"api_key":"oik_secret"}');
  });

  it('seals the same text differently each time (random IV)', () => {
    expect(box.seal('x')).not.toBe(box.seal('x'));
  });

  it('refuses a box sealed for another purpose or another secret, and an altered box', () => {
    const sealed = box.seal('payload');
    expect(() =>
      new SealedBox('a server secret of at least thirty-two characters', 'other').open(sealed),
    ).toThrow();
    expect(() =>
      new SealedBox('another secret of at least thirty-two characters', 'test').open(sealed),
    ).toThrow();
    const raw = Buffer.from(sealed, 'base64url');
    raw[raw.length - 1] ^= 1;
    expect(() => box.open(raw.toString('base64url'))).toThrow();
  });

  it('opens a box bound to a row for that row only (a webhook secret copied onto another endpoint)', () => {
    const webhooks = new SealedBox(
      Buffer.from('a-webhook-secret-key-of-32-characters!!'),
      'webhook-endpoint-secrets',
    );
    const sealed = webhooks.seal('whsec_abc', 'whep_1');
    expect(sealed).not.toContain('whsec_abc');
    expect(webhooks.open(sealed, 'whep_1')).toBe('whsec_abc');
    expect(() => webhooks.open(sealed, 'whep_2')).toThrow();
    expect(() => webhooks.open(sealed)).toThrow();
  });
});
