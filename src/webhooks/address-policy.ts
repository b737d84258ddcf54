import ipaddr from 'ipaddr.js';

/**
 * Whether a webhook may connect to this address: only ordinary public unicast. ipaddr.js (maintained,
 * with the IANA special-purpose tables) classifies it; `process` turns an IPv4-mapped IPv6 address
 * (`::ffff:127.0.0.1`) into the IPv4 address it is, so the mapping cannot smuggle loopback through.
 * Everything else — loopback, private, link-local, unique-local, multicast, unspecified, CGNAT,
 * 6to4/Teredo tunnels that embed an IPv4 address — is refused.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

/** An IP literal in a URL's host (`[::1]` → `::1`), or undefined for a host name. */
export function ipLiteral(hostname: string): string | undefined {
  const bare = hostname.replace(/^\[|\]$/g, '');
  return ipaddr.isValid(bare) ? bare : undefined;
}
