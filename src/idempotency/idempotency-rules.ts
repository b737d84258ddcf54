import { createHash } from 'node:crypto';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';
export const WRITE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** How long an outcome is kept (API.md): the sweeper prunes older records. */
export const RETENTION_HOURS = 24;

/** 1–255 printable ASCII characters (space included), as API.md specifies. */
export function isValidIdempotencyKey(value: string): boolean {
  return /^[\x20-\x7e]{1,255}$/.test(value);
}

/** What makes two requests "the same": method, path with query, and body. */
export function requestFingerprint(method: string, url: string, body: unknown): string {
  const bodyText =
    body === undefined || body === null ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  return createHash('sha256').update(`${method.toUpperCase()} ${url}\n`).update(bodyText).digest('hex');
}

/**
 * Whether an outcome is kept for replay: success, and the 4xx a business rule decided (403, 404,
 * 409, 410, …). Not kept, so that a retry executes again: malformed requests (400, 413, 415, the
 * 422 of validation), authentication (401), time-outs (408), rate limits (429) and faults (5xx).
 */
export function isKeptOutcome(status: number, code?: string): boolean {
  if (status >= 200 && status < 300) return true;
  if (status < 400 || status >= 500) return false;
  if ([400, 401, 408, 413, 415, 429].includes(status)) return false;
  return code !== 'VALIDATION_ERROR';
}
