import { createRequire } from 'node:module';
import { domainToASCII } from 'node:url';

/**
 * Public email providers (gmail.com, outlook.com, …) from the maintained `email-providers` package
 * (about 8,700 domains, refreshed monthly), not a list typed here: nobody may claim one of them,
 * since its users are not one organization. The package ships JSON, loaded as its readme says.
 */
const PUBLIC_EMAIL_PROVIDERS: ReadonlySet<string> = (() => {
  const list = createRequire(import.meta.url)('email-providers/all.json') as string[];
  return new Set(list.flatMap((d) => [d.toLowerCase(), domainToASCII(d.toLowerCase())]).filter(Boolean));
})();

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export type DomainProblem = { msg: string; type: string };

/**
 * The domain as stored and compared: trimmed, lowercased, IDNA ASCII (`xn--…`), without a final dot.
 * Refuses what cannot be an organization's email domain: a single label, an IP address, a form
 * NFKC would change (fullwidth letters, as for emails), and public email providers.
 */
export function normalizeDomain(input: string): { domain: string } | { problem: DomainProblem } {
  const trimmed = input.trim().replace(/\.$/, '');
  if (trimmed.normalize('NFKC') !== trimmed.normalize('NFC') || /\p{Cf}/u.test(trimmed)) {
    return {
      problem: {
        msg: 'domain must not contain compatibility or invisible characters',
        type: 'domain_invalid',
      },
    };
  }
  const domain = domainToASCII(trimmed.normalize('NFC').toLowerCase());
  const labels = domain.split('.');
  if (
    !domain ||
    domain.length > 253 ||
    labels.length < 2 ||
    !labels.every((l) => LABEL.test(l)) ||
    /^\d+$/.test(labels.at(-1)!)
  ) {
    return { problem: { msg: 'domain must be a domain name such as acme.com', type: 'domain_invalid' } };
  }
  if (PUBLIC_EMAIL_PROVIDERS.has(domain)) {
    return {
      problem: {
        msg: `${domain} is a public email provider and cannot be claimed`,
        type: 'domain_public_provider',
      },
    };
  }
  return { domain };
}

/** The domain part of a stored (lowercased) email. */
export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1);
}

/** Where the TXT record goes (API.md): `_invitations-challenge.<domain>`. */
export function challengeName(domain: string): string {
  return `_invitations-challenge.${domain}`;
}
