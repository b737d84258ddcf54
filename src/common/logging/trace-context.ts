import { randomUUID } from 'node:crypto';
import { AsyncLocalStorage } from 'node:async_hooks';

/** The trace id of the request being served, for log lines written outside the request logger. */
export const traceContext = new AsyncLocalStorage<string>();

export function currentTraceId(): string | undefined {
  return traceContext.getStore();
}

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The client's `X-Request-Id` when it is sane (1–128 of `A-Z a-z 0-9 . _ : -`), else undefined. */
export function saneRequestId(value: unknown): string | undefined {
  return typeof value === 'string' && SANE_REQUEST_ID.test(value) ? value : undefined;
}

/** version-traceid-parentid-flags, lowercase hex (W3C Trace Context, section 3.2). */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * The 32-hex trace-id of a W3C `traceparent` header, or undefined when the header is absent or
 * invalid. Hand-written because the maintained parser (@opentelemetry/core) needs Node 22.15+ in its
 * current major, and we support Node 20.19. Per the spec: version `ff` is invalid; version `00` has
 * exactly four fields; a later version may append fields after a `-`; all-zero ids are invalid.
 * A repeated header (an array) is ambiguous and ignored.
 */
export function traceIdFromTraceparent(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = TRACEPARENT.exec(value.trim());
  if (!match) return undefined;
  const [, version, traceId, parentId, , rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(parentId)) return undefined;
  return traceId;
}

/** A request's trace id: a sane X-Request-Id, else the traceparent's trace-id, else a new UUID. */
export function requestIdFor(headers: Record<string, string | string[] | undefined>): string {
  return (
    saneRequestId(headers['x-request-id']) ?? traceIdFromTraceparent(headers.traceparent) ?? randomUUID()
  );
}
