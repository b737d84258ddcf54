import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { auth, createWorld, World } from './support/fixtures.js';
import { createTestApp, TestApp } from './support/test-app.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The write is not awaited by the request: wait for it to land. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const value = await read();
    if (done(value) || attempt >= 50) return value;
    await sleep(50);
  }
}

describe('API key activity: last_used_at', () => {
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    t = await createTestApp();
    w = await createWorld(t);
  });
  afterAll(() => t.close());

  /** The row's last_used_at and its xmin, which changes with every write to the row. */
  async function stored(keyId: string): Promise<{ last_used_at: Date | null; xmin: string }> {
    const [row] = await t.dataSource.query(
      'SELECT last_used_at, xmin::text AS xmin FROM api_keys WHERE id = $1',
      [keyId],
    );
    return row;
  }

  async function newKey(): Promise<{ id: string; key: { 'X-API-Key': string } }> {
    const created = await t.http().post('/v1/api-keys').set(auth(w.member)).send({ name: 'activity' });
    expect(created.status).toBe(201);
    expect(created.body.last_used_at).toBeNull();
    return { id: created.body.id, key: { 'X-API-Key': created.body.key } };
  }

  it('records the first use and shows it, to the minute, in GET /v1/api-keys', async () => {
    const { id, key } = await newKey();
    const listed = async () =>
      (
        (await t.http().get('/v1/api-keys').set(auth(w.member))).body.data as {
          id: string;
          last_used_at: string | null;
        }[]
      ).find((k) => k.id === id)!;
    expect((await listed()).last_used_at).toBeNull();

    expect((await t.http().get('/v1/me').set(key)).status).toBe(200);
    const row = await eventually(
      () => stored(id),
      (r) => r.last_used_at !== null,
    );
    expect(row.last_used_at).not.toBeNull();
    const minute = new Date(row.last_used_at!);
    minute.setUTCSeconds(0, 0);
    expect((await listed()).last_used_at).toBe(minute.toISOString().replace('.000Z', 'Z'));
  });

  it('writes at most once a minute per key, not once per request', async () => {
    const { id, key } = await newKey();
    expect((await t.http().get('/v1/me').set(key)).status).toBe(200);
    const first = await eventually(
      () => stored(id),
      (r) => r.last_used_at !== null,
    );

    const statuses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t
          .http()
          .get(i % 2 ? '/v1/me' : `/v1/organizations/${w.orgId}/roles`)
          .set(key),
      ),
    );
    expect(statuses.map((r) => r.status)).toEqual(Array(20).fill(200));
    await sleep(300);
    expect(await stored(id)).toEqual(first);

    // Used 30 seconds ago: still within the minute, no write.
    await t.dataSource.query(
      `UPDATE api_keys SET last_used_at = now() - interval '30 seconds' WHERE id = $1`,
      [id],
    );
    const recent = await stored(id);
    for (let i = 0; i < 5; i++) expect((await t.http().get('/v1/me').set(key)).status).toBe(200);
    await sleep(300);
    expect(await stored(id)).toEqual(recent);

    // Used over a minute ago: the next request records it, once for a burst.
    await t.dataSource.query(
      `UPDATE api_keys SET last_used_at = now() - interval '2 minutes' WHERE id = $1`,
      [id],
    );
    const stale = await stored(id);
    await Promise.all(Array.from({ length: 10 }, () => t.http().get('/v1/me').set(key)));
    const touched = await eventually(
      () => stored(id),
      (r) => r.xmin !== stale.xmin,
    );
    expect(touched.last_used_at!.getTime()).toBeGreaterThan(Date.now() - 10_000);
    await sleep(300);
    expect(await stored(id)).toEqual(touched);
  });

  it('never makes a request wait for the write', async () => {
    const { id, key } = await newKey();
    // Hold the key's row lock: the UPDATE must queue behind it while the request is answered.
    const locker = t.dataSource.createQueryRunner();
    await locker.connect();
    await locker.startTransaction();
    try {
      await locker.query('SELECT 1 FROM api_keys WHERE id = $1 FOR UPDATE', [id]);
      const started = Date.now();
      expect((await t.http().get('/v1/me').set(key)).status).toBe(200);
      expect(Date.now() - started).toBeLessThan(2000);
      await sleep(200);
      expect((await stored(id)).last_used_at).toBeNull();
    } finally {
      await locker.rollbackTransaction();
      await locker.release();
    }
    expect(
      (
        await eventually(
          () => stored(id),
          (r) => r.last_used_at !== null,
        )
      ).last_used_at,
    ).not.toBeNull();
  });
});
