import { domainToASCII } from 'node:url';
import { isEmail } from 'class-validator';

export const MAX_EMAIL_LENGTH = 254;

export type EmailNormalization = { ok: true; email: string } | { ok: false; reason: string };

// Invisible (format: zero-width spaces and joiners, soft hyphen, bidi controls, …) and control characters.
const INVISIBLE = /[\p{Cf}\p{Cc}]/u;

const codePoint = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * The one normalisation of an email address (API.md, Conventions), used by every route and command
 * that takes one, so that one mailbox is one account however it is typed:
 * trimmed; invisible and format characters (`\p{Cf}`, and controls) refused, as they make a second
 * address that looks like the first; composed to NFC (`jose\u0301` is `josé`); a form NFKC would change
 * (fullwidth `ａdmin`, ligatures, no-break spaces) refused rather than folded, as nobody types one by
 * mistake; the domain converted to its IDNA ASCII form (WHATWG/UTS 46, Node's `url.domainToASCII`);
 * lowercased; then checked by class-validator's `isEmail` and held to 254 characters.
 * Hand-written around those two libraries because no maintained package does this exact set of rules.
 */
export function normalizeEmail(input: string): EmailNormalization {
  if (recentlyNormalized.has(input)) return { ok: true, email: input };
  const result = normalizeUncached(input);
  if (result.ok) {
    if (recentlyNormalized.size >= RECENT_LIMIT) recentlyNormalized.clear();
    recentlyNormalized.add(result.email);
  }
  return result;
}

/**
 * Addresses `normalizeEmail` returned lately. The normalisation is idempotent, so one of them
 * normalises to itself; a request asks for it two or three times (the DTO's transform, its
 * validator, the service), and each pass costs Unicode normalisation, IDNA and `isEmail`.
 */
const recentlyNormalized = new Set<string>();
const RECENT_LIMIT = 1024;

function normalizeUncached(input: string): EmailNormalization {
  const trimmed = input.trim();
  const invisible = INVISIBLE.exec(trimmed);
  if (invisible) {
    return {
      ok: false,
      reason: `email must not contain invisible or format characters (${codePoint(invisible[0])})`,
    };
  }
  const composed = trimmed.normalize('NFC');
  if (composed.normalize('NFKC') !== composed) {
    return {
      ok: false,
      reason:
        'email must be typed in plain characters (fullwidth letters and other compatibility forms are refused)',
    };
  }
  const at = composed.lastIndexOf('@');
  // domainToASCII lowercases and maps the domain; it returns '' for one it cannot convert.
  const domain = at > 0 ? domainToASCII(composed.slice(at + 1)) : '';
  const email = `${composed.slice(0, at).toLowerCase().normalize('NFC')}@${domain}`;
  if ([...email].length > MAX_EMAIL_LENGTH) {
    return { ok: false, reason: `email must be at most ${MAX_EMAIL_LENGTH} characters` };
  }
  if (!domain || !isEmail(email, { allow_utf8_local_part: true, require_tld: true })) {
    return { ok: false, reason: 'email must be a valid email address' };
  }
  return { ok: true, email };
}
