import { randomBytes } from 'node:crypto';

export const ID_PREFIXES = {
  organization: 'org',
  user: 'usr',
  role: 'role',
  department: 'dept',
  invitation: 'inv',
  apiKey: 'key',
  membership: 'mem',
  event: 'evt',
  webhookEndpoint: 'whep',
  webhookDelivery: 'whd',
  domain: 'dom',
  identity: 'idn',
  emailVerificationCode: 'evc',
} as const;

export type IdPrefix = (typeof ID_PREFIXES)[keyof typeof ID_PREFIXES];

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `bytes` of CSPRNG output as base62 (no padding, URL- and selection-safe). */
export function randomBase62(bytes: number): string {
  let n = BigInt('0x' + randomBytes(bytes).toString('hex'));
  let out = '';
  const length = Math.ceil((bytes * 8) / Math.log2(62));
  for (let i = 0; i < length; i++) {
    out = BASE62[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out;
}

/** A prefixed opaque ID with 128 bits of CSPRNG entropy, e.g. `inv_4Z7k…` (22 characters after the prefix). */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomBase62(16)}`;
}

/** What a well-formed ID of this prefix looks like; anything else is rejected with 400 before a query runs. */
export function idPattern(prefix: IdPrefix): RegExp {
  return new RegExp(`^${prefix}_[A-Za-z0-9]{1,64}$`);
}
