import { describe, expect, it } from '@jest/globals';
import { normalizeEmail } from './invitation-fields.js';

describe('normalizeEmail', () => {
  it('trims and lowercases strings, the form emails are stored and compared in', () => {
    expect(normalizeEmail({ value: '  Jane.Doe@Example.COM \n' })).toBe('jane.doe@example.com');
  });

  it('leaves anything else for validation to refuse', () => {
    for (const value of [42, null, undefined, ['A@B.C'], { a: 1 }])
      expect(normalizeEmail({ value })).toBe(value);
  });
});
