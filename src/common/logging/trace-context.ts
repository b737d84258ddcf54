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
