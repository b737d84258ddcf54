import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Response } from 'supertest';
import { ApiKeysService } from '../../src/api-keys/api-keys.service.js';
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
    expectRateLimited(limited, 'user', 60);
    expect(limited.body.error.details.limit).toBe(5);
    // Blocked on every route, whatever the method.
    expectRateLimited(await t.http().post('/v1/api-keys').set(auth(w.member)).send({}), 'user', 60);
  });

  it("counts per user: all of a user's keys share one budget, so a new key buys none; other users are not affected", async () => {
    // Issue 11: each new API key brought a fresh per-key budget.
    const second = await t.app.get(ApiKeysService).issue(w.admin.userId, 'second');
    const third = await t.app.get(ApiKeysService).issue(w.admin.userId, 'third');
    const statuses: number[] = [];
    for (const key of [w.admin.key, second.key, w.admin.key, third.key, second.key])
      statuses.push((await t.http().get('/v1/me').set('X-API-Key', key)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    for (const key of [w.admin.key, second.key, third.key])
      expectRateLimited(await t.http().get('/v1/me').set('X-API-Key', key), 'user', 60);
    const fresh = await t.app.get(ApiKeysService).issue(w.admin.userId, 'fresh');
    expectRateLimited(await t.http().get('/v1/me').set('X-API-Key', fresh.key), 'user', 60);
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
});

describe('rate limits: authorization runs before counting (in memory)', () => {
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_INVITES_PER_ORG_PER_HOUR: '2' });
    w = await createWorld(t);
  });
  afterAll(() => t.close());

  it('spends nothing on callers refused by authorization, and answers them 403/404 even once the budget is spent', async () => {
    const route = createRoutes(w)[2];
    const refused = async () => {
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
    };
    // More refused attempts than the budget holds: none of them counts.
    for (let i = 0; i < 3; i++) await refused();
    const created = [];
    for (let i = 0; i < 2; i++)
      created.push((await t.http().post(route.path).set(auth(w.owner)).send(route.body())).status);
    expect(created).toEqual([201, 201]);
    expectRateLimited(
      await t.http().post(route.path).set(auth(w.admin)).send(route.body()),
      'organization',
      3600,
    );
    // Spent: the refused callers still learn only that they may not, never that a budget exists.
    await refused();
  });
});

describe('rate limits: every email of an organization counts against its hourly budget (in memory)', () => {
  let t: TestApp;
  let w: World;

  const emailsQueued = async (orgId: string) =>
    Number(
      (
        await t.dataSource.query(
          'SELECT count(*) AS n FROM email_outbox o JOIN invitations i ON i.id = o.invitation_id WHERE i.organization_id = $1',
          [orgId],
        )
      )[0].n,
    );

  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_INVITES_PER_ORG_PER_HOUR: '3', RESEND_COOLDOWN_SECONDS: '0' });
    w = await createWorld(t);
  });
  afterAll(() => t.close());

  it('spends the budget on resends too: after the 429 no resend sends another email', async () => {
    // Issue 11: with a budget of 3, resends went on sending after the creates were refused.
    const invite = (email: string) =>
      t.http().post(`/v1/organizations/${w.orgId}/invitations`).set(auth(w.owner)).send({ email });
    const first = await invite(uniqueEmail('budget'));
    expect(first.status).toBe(201);
    const resend = () =>
      t
        .http()
        .post(`/v1/organizations/${w.orgId}/invitations/${first.body.invitation_id}/resend`)
        .set(auth(w.admin))
        .send();
    expect((await resend()).status).toBe(200);
    expect((await resend()).status).toBe(200);
    expect(await emailsQueued(w.orgId)).toBe(3);

    expectRateLimited(await resend(), 'organization', 3600);
    expectRateLimited(await invite(uniqueEmail('budget')), 'organization', 3600);
    expectRateLimited(await resend(), 'organization', 3600);
    expect(await emailsQueued(w.orgId)).toBe(3);
  });
});

describe('rate limits: organizations created per user and hour (in memory)', () => {
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    t = await createTestApp({
      RATE_LIMIT_ORG_CREATES_PER_USER_PER_HOUR: '2',
      RATE_LIMIT_INVITES_PER_ORG_PER_HOUR: '2',
    });
    w = await createWorld(t);
  });
  afterAll(() => t.close());

  it('refuses the third organization of the hour, so new organizations buy no fresh email budget', async () => {
    // Issue 11: every new organization brought a fresh invitation budget.
    const create = (name: string) => t.http().post('/v1/organizations').set(auth(w.member)).send({ name });
    const orgs: string[] = [];
    for (const name of ['Evil 1', 'Evil 2']) {
      const res = await create(name);
      expect(res.status).toBe(201);
      orgs.push(res.body.id);
    }
    const refused = await create('Evil 3');
    expectRateLimited(refused, 'user', 3600);
    expect(refused.body.error.details.limit).toBe(2);

    let sent = 0;
    for (const orgId of orgs) {
      for (let i = 0; i < 3; i++) {
        const res = await t
          .http()
          .post(`/v1/organizations/${orgId}/invitations`)
          .set(auth(w.member))
          .send({ email: uniqueEmail('victim') });
        if (res.status === 201) sent += 1;
        else expectRateLimited(res, 'organization', 3600);
      }
    }
    // Two organizations of two emails each: the most this user can send in an hour.
    expect(sent).toBe(4);
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*) AS n FROM organizations o JOIN memberships m ON m.organization_id = o.id WHERE m.user_id = $1`,
      [w.member.userId],
    );
    expect(Number(n)).toBe(3); // Acme, where they are a member, and the two they created
  });

  it("does not touch another user's budget", async () => {
    const res = await t.http().post('/v1/organizations').set(auth(w.admin)).send({ name: 'Fine Co' });
    expect(res.status).toBe(201);
  });
});

describe('API keys per user: MAX_API_KEYS_PER_USER unrevoked keys', () => {
  let t: TestApp;
  let w: World;

  const createKey = (key: string) => t.http().post('/v1/api-keys').set('X-API-Key', key).send({ name: 'k' });
  const unrevoked = async (userId: string) =>
    Number(
      (
        await t.dataSource.query(
          'SELECT count(*) AS n FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL',
          [userId],
        )
      )[0].n,
    );

  beforeAll(async () => {
    t = await createTestApp({ MAX_API_KEYS_PER_USER: '4', RATE_LIMIT_PER_KEY_PER_MIN: '1000' });
    w = await createWorld(t);
  });
  afterAll(() => t.close());

  it('refuses one key more than the limit with 409 API_KEY_LIMIT_REACHED; revoking one makes room', async () => {
    // The fixture gave the member one key; three more reach the limit of four.
    const created: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await createKey(w.member.key);
      expect(res.status).toBe(201);
      created.push(res.body.id);
    }
    const refused = expectError(await createKey(w.member.key), 409, 'API_KEY_LIMIT_REACHED');
    expect(refused.details).toEqual({ limit: 4 });
    expect(await unrevoked(w.member.userId)).toBe(4);

    expect((await t.http().delete(`/v1/api-keys/${created[0]}`).set(auth(w.member))).status).toBe(204);
    expect((await createKey(w.member.key)).status).toBe(201);
    expectError(await createKey(w.member.key), 409, 'API_KEY_LIMIT_REACHED');
  });

  it('lets exactly the remaining number through when many keys are created at once (the database decides)', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, () => createKey(w.admin.key)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 201, 201, ...Array(9).fill(409)]);
    for (const res of results.filter((r) => r.status === 409)) expectError(res, 409, 'API_KEY_LIMIT_REACHED');
    expect(await unrevoked(w.admin.userId)).toBe(4);
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
    expectRateLimited(await a.http().get('/v1/me').set(auth(w.member)), 'user', 60);
    expectRateLimited(await b.http().get('/v1/me').set(auth(w.member)), 'user', 60);
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
