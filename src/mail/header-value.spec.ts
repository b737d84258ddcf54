import { describe, expect, it } from '@jest/globals';
import { headerValue } from './header-value.js';

describe('headerValue', () => {
  it('turns CR and LF into spaces, so a value cannot start a new header', () => {
    expect(headerValue('Eve\r\nBcc: victim@example.com')).toBe('Eve Bcc: victim@example.com');
    expect(headerValue('a\rb\nc')).toBe('a b c');
  });

  it('removes the other C0 and C1 control characters, DEL and the Unicode line separators', () => {
    expect(headerValue('a\u0000b\u0007c\u001bd\u007fe\u0085f\u2028g\u2029h\ti')).toBe('a b c d e f g h i');
  });

  it('collapses whitespace and trims', () => {
    expect(headerValue('  Olivia \r\n\r\n  Owner  ')).toBe('Olivia Owner');
  });

  it('keeps ordinary Unicode text as it is', () => {
    expect(headerValue('Zoë Ünal — 東京')).toBe('Zoë Ünal — 東京');
  });

  it('shortens values beyond the limit with an ellipsis', () => {
    expect(headerValue('x'.repeat(300), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(headerValue('x'.repeat(10), 10)).toBe('x'.repeat(10));
  });
});
