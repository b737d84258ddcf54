import { describe, expect, it } from '@jest/globals';
import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox(Buffer.from('a-webhook-secret-key-of-32-characters!!'));

  it('opens what it sealed, for the same endpoint only, and never stores the plaintext', () => {
    const sealed = box.seal('whsec_abc', 'whep_1');
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain('whsec_abc');
    expect(box.open(sealed, 'whep_1')).toBe('whsec_abc');
    expect(() => box.open(sealed, 'whep_2')).toThrow();
    expect(() =>
      new SecretBox(Buffer.from('another-key-of-at-least-32-characters')).open(sealed, 'whep_1'),
    ).toThrow();
    expect(box.seal('whsec_abc', 'whep_1')).not.toBe(sealed);
  });
});
