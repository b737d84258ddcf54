import { expect } from '@jest/globals';
import type { Response } from 'supertest';
import { expectError } from '../../support/envelope.js';
import { expectOrgSlugError } from '../../support/invitations.js';

/** Seed 002's `type` for each canonical code these suites expect on its surface. */
const ORG_SLUG_ERROR_TYPES: Record<string, string> = {
  AUTHENTICATION_REQUIRED: 'authentication_error',
  INVALID_API_KEY: 'authentication_error',
  INSUFFICIENT_PERMISSIONS: 'permission_denied',
  ORGANIZATION_NOT_FOUND: 'not_found',
  VALIDATION_ERROR: 'validation_error',
};

/**
 * The error in the envelope of the route's surface: seed 001's everywhere, seed 002's (422 for
 * validation errors) under /api/.
 */
export function expectRouteError(path: string, res: Response, status: number, code: string): void {
  if (path.startsWith('/api/')) {
    const seedStatus = code === 'VALIDATION_ERROR' ? 422 : status;
    expectOrgSlugError(res, seedStatus, ORG_SLUG_ERROR_TYPES[code]);
  } else {
    expectError(res, status, code);
  }
}

/** A 2xx, or a failure message that shows what came back. */
export function expectSuccess(label: string, res: Response): void {
  expect({ label, status: res.status, body: res.status < 300 ? 'ok' : res.body }).toEqual({
    label,
    status: res.status,
    body: 'ok',
  });
  expect(res.status).toBeLessThan(300);
}
