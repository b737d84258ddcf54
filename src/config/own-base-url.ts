import { isIPv6 } from 'node:net';

/** Addresses that mean "this machine" (all interfaces, or loopback): a browser here reaches them as localhost. */
const THIS_MACHINE = new Set(['', '0.0.0.0', '::', '127.0.0.1', '::1', 'localhost']);

/**
 * The service's own address as a person opens it: `http://localhost:3000` for the default HOST
 * (all interfaces) or loopback, else the HOST it listens on. The start-up banner prints it, and
 * without PUBLIC_APP_URL invitation links are built on it, so the link follows PORT.
 */
export function ownBaseUrl(host: string, port: number): string {
  const name = THIS_MACHINE.has(host) ? 'localhost' : isIPv6(host) ? `[${host}]` : host;
  return `http://${name}:${port}`;
}
