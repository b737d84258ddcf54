import { describe, expect, it } from '@jest/globals';
import { normalizeEmail } from './email-address.js';

const ok = (email: string) => ({ ok: true, email });
const refused = { ok: false, reason: expect.any(String) };

describe('normalizeEmail (API.md Conventions: the one normalisation of every email the API takes)', () => {
  it.each([
    ['trims surrounding whitespace', '  Jane@Example.test \t', 'jane@example.test'],
    ['lowercases local part and domain', 'ADMIN@ACME.TEST', 'admin@acme.test'],
    ['composes to NFC (e + combining acute is é)', 'jose\u0301@acme.test', 'jos\u00e9@acme.test'],
    ['keeps an NFC address as it is', 'jos\u00e9@acme.test', 'jos\u00e9@acme.test'],
    ['lowercases a non-ASCII local part', 'JOS\u00c9@acme.test', 'jos\u00e9@acme.test'],
    ['converts the domain to its IDNA ASCII form', 'user@B\u00dcCHER.test', 'user@xn--bcher-kva.test'],
    ['keeps a domain already in ASCII form', 'user@xn--bcher-kva.test', 'user@xn--bcher-kva.test'],
    ['uses the last @ to split', '"a@b"@acme.test', '"a@b"@acme.test'],
    ['accepts plus addressing', 'jane+tag@acme.test', 'jane+tag@acme.test'],
  ])('%s', (_what, input, expected) => {
    expect(normalizeEmail(input)).toEqual(ok(expected));
  });

  it('is idempotent: a normalised address normalises to itself', () => {
    for (const input of ['jose\u0301@B\u00dcCHER.test', ' ADMIN@ACME.TEST ', 'jane+tag@acme.test']) {
      const once = normalizeEmail(input);
      expect(once.ok).toBe(true);
      if (once.ok) expect(normalizeEmail(once.email)).toEqual(once);
    }
  });

  it.each([
    ['a zero-width space after the domain', 'admin@acme.test\u200b'],
    ['a zero-width space in the local part', 'admin\u200b@acme.test'],
    ['a zero-width joiner', 'ad\u200dmin@acme.test'],
    ['a word joiner', 'admin@ac\u2060me.test'],
    ['a soft hyphen', 'ad\u00admin@acme.test'],
    ['a right-to-left override', '\u202eadmin@acme.test'],
    ['a control character', 'admin\u0007@acme.test'],
    ['a NUL', 'admin@acme.test\u0000'],
  ])('refuses %s (\\p{Cf}, \\p{Cc})', (_what, input) => {
    expect(normalizeEmail(input)).toEqual(refused);
  });

  it.each([
    ['a fullwidth letter', '\uff41dmin@acme.test'],
    ['a fullwidth @', 'admin\uff20acme.test'],
    ['a fullwidth domain', 'admin@\uff41cme.test'],
    ['a ligature', '\ufb01nance@acme.test'],
    ['a superscript digit', 'admin\u00b2@acme.test'],
    ['a no-break space', 'ad\u00a0min@acme.test'],
    ['a circled letter', '\u24d0dmin@acme.test'],
  ])('refuses %s (a form NFKC would change)', (_what, input) => {
    expect(normalizeEmail(input)).toEqual(refused);
  });

  it.each([
    ['no @', 'admin.acme.test'],
    ['nothing before @', '@acme.test'],
    ['nothing after @', 'admin@'],
    ['no top-level domain', 'admin@localhost'],
    ['a space inside', 'ad min@acme.test'],
    ['an IP-literal domain', 'admin@[127.0.0.1]'],
    ['an empty string', ''],
    ['only spaces', '   '],
  ])('refuses %s', (_what, input) => {
    expect(normalizeEmail(input)).toEqual(refused);
  });

  it('accepts 254 characters and refuses 255 (counted on the normalised form)', () => {
    const domain = `${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(63)}.test`; // 196 characters
    const at254 = `${'a'.repeat(254 - domain.length - 1)}@${domain}`;
    expect(at254.length).toBe(254);
    expect(normalizeEmail(at254)).toEqual(ok(at254));
    expect(normalizeEmail(`a${at254}`)).toEqual(refused);
    // Trimming happens first: surrounding spaces do not count.
    expect(normalizeEmail(`  ${at254}  `)).toEqual(ok(at254));
  });

  it('explains each refusal in the message a client sees', () => {
    const reason = (input: string) => {
      const result = normalizeEmail(input);
      return result.ok ? undefined : result.reason;
    };
    expect(reason('admin\u200b@acme.test')).toMatch(/invisible|format/);
    expect(reason('\uff41dmin@acme.test')).toMatch(/fullwidth|compatibility/);
    expect(reason('admin.acme.test')).toMatch(/valid email/);
    expect(reason(`${'a'.repeat(250)}@acme.test`)).toMatch(/254/);
  });
});
