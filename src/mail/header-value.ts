/**
 * Makes a string safe for an email header: CR, LF and every other control character (C0, DEL,
 * C1, and the Unicode line/paragraph separators) become a space, so a name like
 * "Eve\r\nBcc: victim@example.com" can never add a header. Runs of whitespace collapse to one space.
 */
export function headerValue(value: string, maxLength = 200): string {
  const clean = value
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > maxLength ? `${clean.slice(0, maxLength - 1)}…` : clean;
}
