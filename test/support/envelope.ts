import { expect } from '@jest/globals';
import type { Response } from 'supertest';

/** Asserts the canonical (seed 001) error envelope with this status and code, and returns its `error`. */
export function expectError(res: Response, status: number, code: string): Record<string, unknown> {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(res.body.success).toBe(false);
  const error = res.body.error;
  expect(Object.keys(error).sort()).toEqual(
    ['code', 'details', 'message', 'status', 'system_message', 'timestamp', 'trace_id', 'type'].sort(),
  );
  expect(error.status).toBe(status);
  expect(error.type).toBe(status >= 500 ? 'server_error' : 'client_error');
  expect(error.trace_id).toBe(res.headers['x-request-id']);
  expect(error.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  expect(typeof error.message).toBe('string');
  return error;
}

/** The field errors of a VALIDATION_ERROR, as `loc` paths joined with dots. */
export function fieldErrorLocs(res: Response): string[] {
  return (res.body.error.details.errors as { loc: string[] }[]).map((e) => e.loc.join('.'));
}
