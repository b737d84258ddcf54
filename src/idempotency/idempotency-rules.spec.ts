import { describe, expect, it } from '@jest/globals';
import { isKeptOutcome, isValidIdempotencyKey, requestFingerprint } from './idempotency-rules.js';

describe('isValidIdempotencyKey', () => {
  it('accepts 1–255 printable ASCII characters', () => {
    expect(isValidIdempotencyKey('a')).toBe(true);
    expect(isValidIdempotencyKey('order 42 / retry:1 ~')).toBe(true);
    expect(isValidIdempotencyKey('x'.repeat(255))).toBe(true);
  });

  it('refuses empty, too long, control and non-ASCII keys', () => {
    expect(isValidIdempotencyKey('')).toBe(false);
    expect(isValidIdempotencyKey('x'.repeat(256))).toBe(false);
    expect(isValidIdempotencyKey('tab\there')).toBe(false);
    expect(isValidIdempotencyKey('clé')).toBe(false);
  });
});

describe('requestFingerprint', () => {
  const base = requestFingerprint('POST', '/v1/organizations/acme/invitations', { email: 'a@b.test' });

  it('is the same for the same method, path and body', () => {
    expect(requestFingerprint('post', '/v1/organizations/acme/invitations', { email: 'a@b.test' })).toBe(
      base,
    );
  });

  it('differs when the method, the path, the query or the body differs', () => {
    expect(requestFingerprint('PUT', '/v1/organizations/acme/invitations', { email: 'a@b.test' })).not.toBe(
      base,
    );
    expect(requestFingerprint('POST', '/v1/organizations/other/invitations', { email: 'a@b.test' })).not.toBe(
      base,
    );
    expect(
      requestFingerprint('POST', '/v1/organizations/acme/invitations?x=1', { email: 'a@b.test' }),
    ).not.toBe(base);
    expect(requestFingerprint('POST', '/v1/organizations/acme/invitations', { email: 'c@b.test' })).not.toBe(
      base,
    );
    expect(requestFingerprint('POST', '/v1/organizations/acme/invitations', undefined)).not.toBe(base);
  });
});

describe('isKeptOutcome', () => {
  it('keeps successes and business-rule 4xx', () => {
    for (const status of [200, 201, 202, 204, 403, 404, 409, 410]) expect(isKeptOutcome(status)).toBe(true);
    expect(isKeptOutcome(422, 'IDEMPOTENCY_KEY_REUSED')).toBe(true);
  });

  it('keeps no malformed request, authentication failure, rate limit or fault', () => {
    for (const status of [400, 401, 408, 413, 415, 429, 500, 502, 503])
      expect(isKeptOutcome(status)).toBe(false);
    expect(isKeptOutcome(422, 'VALIDATION_ERROR')).toBe(false);
    expect(isKeptOutcome(409, 'VALIDATION_ERROR')).toBe(false);
  });
});
