import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as net from 'node:net';
import type { Response } from 'supertest';
import { auth, createWorld, World } from '../support/fixtures.js';
import { expectError } from '../support/envelope.js';
import { expectOrgSlugError } from '../support/invitations.js';
import { createTestApp, TestApp } from '../support/test-app.js';

/** What @fastify/helmet must put on every response, whatever produced it. */
function expectSecurityHeaders(res: Response): void {
  expect(res.headers).toEqual(
    expect.objectContaining({
      'content-security-policy': expect.stringContaining("default-src 'self'"),
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': expect.stringMatching(/^max-age=\d{7,}; includeSubDomains/),
      'x-content-type-options': 'nosniff',
      'x-dns-prefetch-control': 'off',
      'x-frame-options': 'SAMEORIGIN',
      'x-permitted-cross-domain-policies': 'none',
    }),
  );
  expect(res.headers['x-powered-by']).toBeUndefined();
  expect(res.headers['content-security-policy']).toContain("frame-ancestors 'self'");
}

describe('HTTP surface: security headers and CORS off by default', () => {
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    t = await createTestApp();
    w = await createWorld(t);
  });
  afterAll(() => t.close());

  it('sets the security headers on successes, errors from every layer, and the docs', async () => {
    const responses = [
      await t.http().get('/v1/me').set(auth(w.member)),
      await t.http().get('/v1/me'),
      await t.http().get('/v1/nowhere'),
      await t
        .http()
        .post('/v1/organizations')
        .set(auth(w.owner))
        .set('Content-Type', 'application/json')
        .send('{bad'),
      await t.http().post('/v1/organizations').set(auth(w.owner)).set('Content-Type', 'text/plain').send('x'),
      await t
        .http()
        .post(`/api/v1/org/${w.orgSlug}/invitations`)
        .set(auth(w.member))
        .send({ email: 'a@b.test', role: 'member' }),
      await t.http().get('/health/live'),
      await t.http().get('/docs-json'),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 401, 404, 400, 415, 403, 200, 200]);
    responses.forEach(expectSecurityHeaders);
  });

  it('sends no CORS headers by default, for simple requests and preflights alike', async () => {
    const simple = await t.http().get('/v1/me').set(auth(w.member)).set('Origin', 'https://evil.example');
    expect(simple.status).toBe(200);
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await t
      .http()
      .options('/v1/me')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'x-api-key');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.headers['access-control-allow-headers']).toBeUndefined();
  });
});

describe('HTTP surface: errors before routing use the envelope too', () => {
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    t = await createTestApp();
    w = await createWorld(t);
  });
  afterAll(() => t.close());

  it('answers headers over the size limit with 431 REQUEST_HEADERS_TOO_LARGE', async () => {
    const res = await t.http().get('/v1/me').set('X-Padding', 'x'.repeat(20_000));
    expectError(res, 431, 'REQUEST_HEADERS_TOO_LARGE');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers a path that is not valid percent-encoding with 400 (422 on seed 002)', async () => {
    const res = await t.http().get('/v1/organizations/%E0%A4%A').set(auth(w.owner));
    expectError(res, 400, 'VALIDATION_ERROR');
    expect(res.body.error.details.errors).toEqual([
      { loc: ['path'], msg: expect.any(String), type: 'url_invalid' },
    ]);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expectOrgSlugError(
      await t.http().post('/api/v1/org/%E0%A4%A/invitations').set(auth(w.owner)).send({}),
      422,
      'validation_error',
    );
  });

  it('answers a path segment longer than any ID with 404 NOT_FOUND (seed 002: not_found)', async () => {
    expectError(
      await t
        .http()
        .get(`/v1/organizations/${'x'.repeat(101)}`)
        .set(auth(w.owner)),
      404,
      'NOT_FOUND',
    );
    expectOrgSlugError(
      await t
        .http()
        .post(`/api/v1/org/${'x'.repeat(101)}/invitations`)
        .set(auth(w.owner))
        .send({}),
      404,
      'not_found',
    );
  });

  it('refuses prototype-pollution bodies with 400 before any handler sees them', async () => {
    for (const raw of [
      '{"__proto__":{"admin":true},"name":"x"}',
      '{"constructor":{"prototype":{"admin":true}},"name":"x"}',
    ]) {
      const res = await t
        .http()
        .post('/v1/organizations')
        .set(auth(w.owner))
        .set('Content-Type', 'application/json')
        .send(raw);
      expectError(res, 400, 'VALIDATION_ERROR');
    }
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('answers text PostgreSQL cannot store (U+0000) with 400, and stores nothing', async () => {
    const [before] = await t.dataSource.query('SELECT count(*)::int AS n FROM departments');
    expectError(await t.http().get('/v1/organizations/%00').set(auth(w.owner)), 400, 'VALIDATION_ERROR');
    const res = await t
      .http()
      .post(`/v1/organizations/${w.orgId}/departments`)
      .set(auth(w.owner))
      .send({ name: 'a\u0000b' });
    expectError(res, 400, 'VALIDATION_ERROR');
    expect(await t.dataSource.query('SELECT count(*)::int AS n FROM departments')).toEqual([before]);
  });
});

describe('HTTP surface: a wrong method on an existing path, a request that never finishes', () => {
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    t = await createTestApp();
    w = await createWorld(t);
  });
  afterAll(() => t.close());

  it('answers a method the path does not serve with 405 METHOD_NOT_ALLOWED and Allow naming the ones it does', async () => {
    const cases: { method: 'get' | 'put' | 'post' | 'patch' | 'delete'; path: string; allow: string }[] = [
      { method: 'put', path: '/v1/me', allow: 'GET, HEAD' },
      { method: 'delete', path: '/v1/organizations', allow: 'GET, HEAD, POST' },
      { method: 'post', path: `/v1/organizations/${w.orgId}`, allow: 'GET, HEAD, PATCH' },
      { method: 'patch', path: `/v1/organizations/${w.orgId}/users/usr_x/deactivate`, allow: 'POST' },
      { method: 'get', path: '/v1/invitations/accept', allow: 'POST' },
    ];
    for (const { method, path, allow } of cases) {
      // With and without credentials: which methods a path has is in the public OpenAPI document anyway.
      for (const headers of [auth(w.owner), {}]) {
        const res = await t.http()[method](path).set(headers);
        const error = expectError(res, 405, 'METHOD_NOT_ALLOWED');
        expect({ method, path, allow: res.headers.allow }).toEqual({ method, path, allow });
        expect(error.details).toEqual({ method: method.toUpperCase(), allowed_methods: allow.split(', ') });
        expectSecurityHeaders(res);
      }
    }
    // A path that exists for no method stays a 404, whatever the method.
    expectError(await t.http().delete('/v1/nowhere').set(auth(w.owner)), 404, 'NOT_FOUND');
    expectError(await t.http().post(`/v1/organizations/${w.orgId}/nowhere`).send({}), 404, 'NOT_FOUND');
  });

  it("answers a wrong method on seed 002's surface in its own envelope, with Allow", async () => {
    const res = await t.http().get(`/api/v1/org/${w.orgSlug}/invitations`).set(auth(w.owner));
    expectOrgSlugError(res, 405, 'method_not_allowed');
    expect(res.headers.allow).toBe('POST');
  });

  it('answers a request whose headers never finish with 408 REQUEST_TIMEOUT in the envelope, then closes', async () => {
    // Node's defaults (60 s for headers, checked every 30 s) shortened for this server only.
    const server = t.app.getHttpServer() as http.Server;
    server.headersTimeout = 300;
    server.requestTimeout = 600;
    (server as http.Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = 50;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const socket = net.connect(port, '127.0.0.1');
      let raw = '';
      socket.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      socket.on('error', () => undefined);
      // A request line and one header, and then nothing: the blank line that ends the headers never comes.
      socket.write(`GET /v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: ${w.member.key}\r\n`);
      await closed;

      const [head, body] = raw.split('\r\n\r\n');
      expect(head.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
      const headers = Object.fromEntries(
        head
          .split('\r\n')
          .slice(1)
          .map((line) => [
            line.slice(0, line.indexOf(':')).toLowerCase(),
            line.slice(line.indexOf(':') + 1).trim(),
          ]),
      );
      expect(headers['content-type']).toBe('application/json; charset=utf-8');
      expect(headers.connection).toBe('close');
      const envelope = JSON.parse(body);
      expect(envelope).toEqual({
        success: false,
        error: expect.objectContaining({
          code: 'REQUEST_TIMEOUT',
          status: 408,
          type: 'client_error',
          trace_id: headers['x-request-id'],
        }),
      });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('HTTP surface: CORS_ORIGINS', () => {
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    t = await createTestApp({ CORS_ORIGINS: 'https://app.example.test, https://admin.example.test' });
    w = await createWorld(t);
  });
  afterAll(() => t.close());

  it('allows exactly the configured origins, and exposes X-Request-Id and Retry-After to them', async () => {
    for (const origin of ['https://app.example.test', 'https://admin.example.test']) {
      const res = await t.http().get('/v1/me').set(auth(w.member)).set('Origin', origin);
      expect(res.headers['access-control-allow-origin']).toBe(origin);
      expect(res.headers['access-control-expose-headers']?.toLowerCase()).toEqual(
        expect.stringContaining('x-request-id'),
      );
      expect(res.headers['access-control-expose-headers']?.toLowerCase()).toEqual(
        expect.stringContaining('retry-after'),
      );
      expect(res.headers.vary).toMatch(/Origin/i);
    }
    for (const origin of ['https://evil.example', 'https://app.example.test.evil.example', 'null']) {
      const res = await t.http().get('/v1/me').set(auth(w.member)).set('Origin', origin);
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('answers preflights from allowed origins, including the API key header', async () => {
    const res = await t
      .http()
      .options('/v1/organizations')
      .set('Origin', 'https://app.example.test')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'x-api-key, content-type');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.test');
    expect(res.headers['access-control-allow-methods']).toContain('POST');
    expect(res.headers['access-control-allow-headers']?.toLowerCase()).toContain('x-api-key');
  });

  it('names only the path’s own methods in a 405 with CORS on (preflights are not a method), and unknown paths stay 404', async () => {
    const res = await t.http().delete('/v1/organizations').set(auth(w.owner));
    expectError(res, 405, 'METHOD_NOT_ALLOWED');
    expect(res.headers.allow).toBe('GET, HEAD, POST');
    expectError(await t.http().put('/v1/nowhere').set(auth(w.owner)), 404, 'NOT_FOUND');
  });
});

/** Words that would mean a response leaked internals: SQL, driver errors, stack frames, file paths. */
const LEAKS = [
  /select /i,
  /column/i,
  /relation/i,
  /organizations\b/,
  /QueryFailedError/,
  /\bat \S+ \(/,
  /node_modules/,
  /\.ts:\d+/,
  /\.js:\d+/,
  /stack/i,
  /postgres/i,
];

function expectNoLeak(res: Response): void {
  const text = JSON.stringify(res.body) + JSON.stringify(res.headers);
  for (const leak of LEAKS)
    expect({ leak: String(leak), found: leak.test(text) }).toEqual({ leak: String(leak), found: false });
}

describe('HTTP surface: a failing query is a generic 500', () => {
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    t = await createTestApp();
    w = await createWorld(t);
    // Breaks every query that reads an organization's name, and every invitation insert: the app's
    // SQL now fails at runtime (the authentication query itself reads neither).
    await t.dataSource.query('ALTER TABLE organizations DROP COLUMN name');
    await t.dataSource.query('ALTER TABLE invitations DROP COLUMN custom_message');
  });
  afterAll(() => t.close());

  it('answers 500 INTERNAL_ERROR with only the generic message: no SQL, no stack, no driver text', async () => {
    const responses = [
      await t.http().get(`/v1/organizations/${w.orgId}`).set(auth(w.owner)),
      await t.http().post('/v1/organizations').set(auth(w.owner)).send({ name: 'Broken' }),
      await t.http().get('/v1/organizations').set(auth(w.owner)),
    ];
    for (const res of responses) {
      const error = expectError(res, 500, 'INTERNAL_ERROR');
      expect(error.message).toBe('An unexpected error occurred.');
      expect(error.details).toEqual({});
      expectNoLeak(res);
    }
  });

  it("answers seed 002's surface with its own generic 500", async () => {
    const res = await t
      .http()
      .post(`/api/v1/org/${w.orgSlug}/invitations`)
      .set(auth(w.owner))
      .send({ email: 'x@y.test', role: 'member' });
    expectOrgSlugError(res, 500, 'internal_error');
    expect(res.body).toEqual({
      code: 500,
      detail: 'An unexpected error occurred.',
      type: 'internal_error',
      errors: [],
    });
    expectNoLeak(res);
  });
});
