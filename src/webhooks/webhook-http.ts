import * as dns from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import { LookupFunction } from 'node:net';
import { ipLiteral, isPublicAddress } from './address-policy.js';

/** At most this much of a receiver's answer is kept (API.md "Webhooks"). */
export const RESPONSE_BODY_LIMIT = 4096;

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to its addresses; injectable so tests can make a name point anywhere. */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: HostResolver = (hostname) =>
  dns.promises.lookup(hostname, { all: true, verbatim: true });

export interface WebhookRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  allowPrivateNetworks: boolean;
  resolve: HostResolver;
}

export interface WebhookOutcome {
  ok: boolean;
  status: number | null;
  body: string | null;
  error: string | null;
  durationMs: number;
}

/** A refusal before any byte is sent (the address is not allowed); the attempt still counts as failed. */
class RefusedAddress extends Error {}

/**
 * POSTs one delivery. The host is resolved here and every address checked (unless private
 * networks are allowed); the socket then connects to the checked address itself (a fixed `lookup`),
 * so a DNS answer that changes between the check and the connect (rebinding) cannot reach an
 * internal service. TLS still verifies the certificate against the URL's host name. Redirects are
 * not followed (node:http never follows them; a 3xx is a failure), the whole exchange is bounded
 * by `timeoutMs`, and at most RESPONSE_BODY_LIMIT bytes of the answer are read.
 */
export async function postWebhook(request: WebhookRequest): Promise<WebhookOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const url = new URL(request.url);
    const target = await checkedAddress(url.hostname, request);
    const { status, body } = await send(url, target, request);
    const ok = status >= 200 && status < 300;
    return { ok, status, body, error: ok ? null : `receiver answered ${status}`, durationMs: elapsed() };
  } catch (error) {
    return { ok: false, status: null, body: null, error: describe(error), durationMs: elapsed() };
  }
}

async function checkedAddress(hostname: string, request: WebhookRequest): Promise<ResolvedAddress> {
  const literal = ipLiteral(hostname);
  const addresses = literal
    ? [{ address: literal, family: literal.includes(':') ? 6 : 4 }]
    : await request.resolve(hostname);
  if (addresses.length === 0) throw new RefusedAddress(`${hostname} has no address`);
  if (!request.allowPrivateNetworks) {
    // Every address the name has, not only the first: the socket could otherwise be steered to another.
    const refused = addresses.find((a) => !isPublicAddress(a.address));
    if (refused) throw new RefusedAddress(`${hostname} resolves to ${refused.address}, a non-public address`);
  }
  return addresses[0];
}

function send(
  url: URL,
  target: ResolvedAddress,
  request: WebhookRequest,
): Promise<{ status: number; body: string }> {
  const pinned: LookupFunction = (_host, options, callback) => {
    if (options.all) callback(null, [target]);
    else callback(null, target.address, target.family);
  };
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(request.body),
        ...request.headers,
      },
      lookup: pinned,
      agent: false,
    });
    const timer = setTimeout(
      () => req.destroy(new Error(`no answer within ${request.timeoutMs} ms`)),
      request.timeoutMs,
    );
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      const finish = () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        res.destroy();
      };
      res.on('data', (chunk: Buffer) => {
        if (kept >= RESPONSE_BODY_LIMIT) return;
        chunks.push(chunk.subarray(0, RESPONSE_BODY_LIMIT - kept));
        kept += Math.min(chunk.length, RESPONSE_BODY_LIMIT - kept);
        if (kept >= RESPONSE_BODY_LIMIT) finish();
      });
      res.on('end', finish);
      res.on('error', finish);
    });
    req.end(request.body);
  });
}

function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  const text = e?.code ? `${e.code}: ${e.message}` : String(e?.message ?? error);
  return text.slice(0, 500);
}
