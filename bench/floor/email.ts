import { domainToASCII } from 'node:url';
import { isEmail } from 'class-validator';

const INVISIBLE = /[\p{Cf}\p{Cc}]/u;

/**
 * The contract's email rule (API.md Conventions), the same steps and libraries as the app's
 * src/common/email/email-address.ts (the bench is compiled on its own and does not import src/),
 * so the floor pays for the same validation. Returns the stored form, or undefined when refused.
 */
export function normalizeEmail(input: string): string | undefined {
  const trimmed = input.trim();
  if (INVISIBLE.test(trimmed)) return undefined;
  const composed = trimmed.normalize('NFC');
  if (composed.normalize('NFKC') !== composed) return undefined;
  const at = composed.lastIndexOf('@');
  const domain = at > 0 ? domainToASCII(composed.slice(at + 1)) : '';
  const email = `${composed.slice(0, at).toLowerCase().normalize('NFC')}@${domain}`;
  if ([...email].length > 254) return undefined;
  if (!domain || !isEmail(email, { allow_utf8_local_part: true, require_tld: true })) return undefined;
  return email;
}
