import { Inject, Injectable } from '@nestjs/common';
import { Resolver } from 'node:dns/promises';
import { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';

/** Per try; c-ares doubles it on the retry, so a lookup gives up after about 3 × this. */
const DNS_TIMEOUT_MS = 1500;
const DNS_TRIES = 2;

export type TxtLookup = { records: string[] } | { failure: 'not_found' | 'lookup_failed'; code: string };

/** Node's codes for "the name or its TXT records do not exist", as opposed to a resolver that failed. */
const NOT_FOUND_CODES = new Set(['ENOTFOUND', 'ENODATA']);

/**
 * TXT lookups for domain verification through node's own resolver (c-ares), pointed at DNS_SERVERS
 * when set, with a bounded timeout so a verify request cannot hang on an unresponsive server.
 */
@Injectable()
export class DnsTxtLookup {
  private readonly servers: string[];

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.servers = config.dnsServers;
  }

  async txt(name: string): Promise<TxtLookup> {
    // A resolver per lookup: cheap, and a cancelled or timed-out query cannot affect another.
    const resolver = new Resolver({ timeout: DNS_TIMEOUT_MS, tries: DNS_TRIES });
    if (this.servers.length > 0) resolver.setServers(this.servers);
    try {
      // A TXT record may be split into several strings; its value is their concatenation (RFC 7208 §3.3).
      return { records: (await resolver.resolveTxt(name)).map((chunks) => chunks.join('')) };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'UNKNOWN';
      return { failure: NOT_FOUND_CODES.has(code) ? 'not_found' : 'lookup_failed', code };
    }
  }
}
