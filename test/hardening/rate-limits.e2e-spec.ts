import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Response } from 'supertest';
import { ApiKeysService } from '../../src/api-keys/api-keys.service.js';
import { freePort } from '../../src/database/embedded-postgres.js';
import { auth, createWorld, uniqueEmail, World } from '../support/fixtures.js';
import { expectError } from '../support/envelope.js';
import { expectOrgSlugError } from '../support/invitations.js';
import { createTestApp, TestApp } from '../support/test-app.js';
import { testRedis, TestRedis } from './support/redis.js';

/** A 429 in our envelope with a sane Retry-After (whole seconds, at most the window). */
export function expectRateLimited(res: Response, scope: string, windowSeconds: number): number {
  const error = expectError(res, 429, 'RATE_LIMITED');
  const retryAfter = Number(res.headers['retry-after']);
  expect(res.headers['retry-after']).toMatch(/^\d+$/);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
  expect(error.details).toEqual({
    scope,
    limit: expect.any(Number),
    window_seconds: windowSeconds,
    retry_after_seconds: retryAfter,
  });
  return retryAfter;
}

describe('rate limits: per API key (in memory)', () => {
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_PER_KEY_PER_MIN: '5' });
    w = await createWorld(t);
  });
  afterAll(() => t.close());

  it('spends one budget per key across all routes, then answers 429 RATE_LIMITED with Retry-After', async () => {
    const statuses: number[] = [];
    for (const path of [
      '/v1/me',
      '/v1/me',
      '/v1/organizations',
      `/v1/organizations/${w.orgId}`,
      '/v1/api-keys',
    ]) {
      statuses.push((await t.http().get(path).set(auth(w.member))).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const limited = await t.http().get('/v1/me').set(auth(w.member));
    expectRateLimited(limited, 'api_key', 60);
    expect(limited.body.error.details.limit).toBe(5);
    // Blocked on every route, whatever the method.
    expectRateLimited(await t.http().post('/v1/api-keys').set(auth(w.member)).send({}), 'api_key', 60);
  });

  it('counts per key: another key of the same user and other users are not affected', async () => {
    for (let i = 0; i < 6; i++) await t.http().get('/v1/me').set(auth(w.admin));
    expectRateLimited(await t.http().get('/v1/me').set(auth(w.admin)), 'api_key', 60);
    const second = await t.app.get(ApiKeysService).issue(w.admin.userId, 'second');
    expect((await t.http().get('/v1/me').set('X-API-Key', second.key)).status).toBe(200);
    expect((await t.http().get('/v1/me').set(auth(w.owner))).status).toBe(200);
  });

  it('does not limit requests without a valid key by key (they are 401, public routes stay open)', async () => {
    for (let i = 0; i < 8; i++)
      expectError(
        await t
          .http()
          .get('/v1/me')
          .set('X-API-Key', 'oik_' + 'x'.repeat(43)),
        401,
        'INVALID_API_KEY',
      );
    for (let i = 0; i < 8; i++) expect((await t.http().get('/health/live')).status).toBe(200);
  });
});

describe('rate limits: public token routes, per client address (in memory)', () => {
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_PUBLIC_PER_MIN: '4' });
    w = await createWorld(t);
  });
  afterAll(() => t.close());

  it('shares one budget between lookup, accept and decline, then answers 429 with Retry-After', async () => {
    const token = 'inv_doesnotexist.1.' + 'A'.repeat(43);
    expectError(await t.http().get('/v1/invitations/lookup').query({ token }), 404, 'INVITATION_NOT_FOUND');
    expectError(await t.http().get('/v1/invitations/lookup').query({ token }), 404, 'INVITATION_NOT_FOUND');
    expectError(await t.http().post('/v1/invitations/accept').send({ token }), 404, 'INVITATION_NOT_FOUND');
    expectError(await t.http().post('/v1/invitations/decline').send({ token }), 404, 'INVITATION_NOT_FOUND');
    // Token guessing stops here, whatever the route or the token.
    const limited = await t.http().get('/v1/invitations/lookup').query({ token: 'x' });
    expectRateLimited(limited, 'client_address', 60);
    expect(limited.body.error.details.limit).toBe(4);
    expectRateLimited(await t.http().post('/v1/invitations/accept').send({ token }), 'client_address', 60);
    // A valid API key does not lift the per-address limit on these routes.
    expectRateLimited(
      await t.http().post('/v1/invitations/decline').set(auth(w.member)).send({ token }),
      'client_address',
      60,
    );
  });

  it('does not apply the token budget to other routes', async () => {
    expect((await t.http().get('/health/live')).status).toBe(200);
    expect((await t.http().get('/v1/me').set(auth(w.member))).status).toBe(200);
  });
});

/** One valid body per invitation-creation route, each for a new email. */
function createRoutes(w: World): { name: string; path: string; body: () => object }[] {
  return [
    {
      name: 'inviteUser',
      path: `/v1/organizations/${w.orgId}/invite-user`,
      body: () => ({ email: uniqueEmail('rl'), role_id: w.roles.member, send_invitation: false }),
    },
    {
      name: 'inviteUserV2',
      path: `/v1/organizations/${w.orgId}/users/invite/v2`,
      body: () => ({ email: uniqueEmail('rl'), send_invitation: false }),
    },
    {
      name: 'createInvitation',
      path: `/v1/organizations/${w.orgId}/invitations`,
      body: () => ({ email: uniqueEmail('rl'), send_invitation: false }),
    },
    {
      name: 'createOrgInvitation',
      path: `/api/v1/org/${w.orgSlug}/invitations`,
      body: () => ({ email: uniqueEmail('rl'), role: 'member', send_invitation: false }),
    },
  ];
}

describe('rate limits: invitation creation per organization and hour (in memory)', () => {
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_INVITES_PER_ORG_PER_HOUR: '4' });
    w = await createWorld(t);
  });
  afterAll(() => t.close());

  it('shares one budget between the four create routes and every admin of the organization', async () => {
    const routes = createRoutes(w);
    const created: number[] = [];
    for (const [i, route] of routes.entries()) {
      const actor = i % 2 === 0 ? w.owner : w.admin;
      created.push((await t.http().post(route.path).set(auth(actor)).send(route.body())).status);
    }
    expect(created).toEqual([201, 201, 201, 201]);
    const before: { n: string }[] = await t.dataSource.query(
      'SELECT count(*) AS n FROM invitations WHERE organization_id = $1',
      [w.orgId],
    );

    for (const route of routes.slice(0, 3)) {
      expectRateLimited(
        await t.http().post(route.path).set(auth(w.owner)).send(route.body()),
        'organization',
        3600,
      );
    }
    // Seed 002's surface reports the same limit in its own envelope, with the same header.
    const orgSlug = await t.http().post(routes[3].path).set(auth(w.admin)).send(routes[3].body());
    expectOrgSlugError(orgSlug, 429, 'rate_limited');
    expect(Number(orgSlug.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(orgSlug.headers['retry-after'])).toBeLessThanOrEqual(3600);

    const after: { n: string }[] = await t.dataSource.query(
      'SELECT count(*) AS n FROM invitations WHERE organization_id = $1',
      [w.orgId],
    );
    expect(after).toEqual(before);
  });

  it("does not touch another organization's budget, nor reads of this one", async () => {
    const other = await t
      .http()
      .post(`/v1/organizations/${w.otherOrgId}/invitations`)
      .set(auth(w.otherOwner))
      .send({ email: uniqueEmail('rl') });
    expect(other.status).toBe(201);
    expect((await t.http().get(`/v1/organizations/${w.orgId}/invitations`).set(auth(w.member))).status).toBe(
      200,
    );
  });

  it('answers callers refused by authorization with 403/404, not 429 (authorization runs before counting)', async () => {
    const route = createRoutes(w)[2];
    expectError(
      await t.http().post(route.path).set(auth(w.member)).send(route.body()),
      403,
      'INSUFFICIENT_PERMISSIONS',
    );
    expectError(
      await t.http().post(route.path).set(auth(w.otherOwner)).send(route.body()),
      404,
      'ORGANIZATION_NOT_FOUND',
    );
  });
});

describe('rate limits: Redis storage shared by two instances', () => {
  let redis: TestRedis;
  let a: TestApp;
  let b: TestApp;
  let w: World;

  beforeAll(async () => {
    redis = await testRedis();
    const env = {
      REDIS_URL: redis.url,
      RATE_LIMIT_PER_KEY_PER_MIN: '6',
      RATE_LIMIT_INVITES_PER_ORG_PER_HOUR: '3',
    };
    a = await createTestApp(env);
    b = await createTestApp({ ...env, DATABASE_URL: a.config.databaseUrl });
    w = await createWorld(a);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.stop();
  });

  it('spends one per-key budget across both instances', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await (i % 2 ? a : b).http().get('/v1/me').set(auth(w.member))).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    expectRateLimited(await a.http().get('/v1/me').set(auth(w.member)), 'api_key', 60);
    expectRateLimited(await b.http().get('/v1/me').set(auth(w.member)), 'api_key', 60);
    expect((await b.http().get('/v1/me').set(auth(w.admin))).status).toBe(200);
  });

  it('spends one invitation budget per organization across both instances, with concurrent requests', async () => {
    const routes = createRoutes(w);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => {
        const route = routes[i % 3];
        // Owner and Admin alternate so neither key reaches its own per-key limit.
        return (i % 2 ? a : b)
          .http()
          .post(route.path)
          .set(auth(i % 4 < 2 ? w.owner : w.admin))
          .send(route.body());
      }),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 201, 201, 429, 429, 429, 429, 429]);
    for (const res of results.filter((r) => r.status === 429)) expectRateLimited(res, 'organization', 3600);
  });
});

describe('rate limits: Redis unreachable', () => {
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    // Nothing listens on this port: the limiter fails open rather than taking the API down with Redis.
    t = await createTestApp({
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      RATE_LIMIT_PER_KEY_PER_MIN: '2',
    });
    w = await createWorld(t);
  });
  afterAll(() => t.close());

  it('keeps serving requests (fail open) instead of failing them', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await t.http().get('/v1/me').set(auth(w.member))).status);
    expect(statuses).toEqual([200, 200, 200, 200]);
  });
});
