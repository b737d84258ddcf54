import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ThrottlerException, ThrottlerStorage } from '@nestjs/throttler';
import { randomBytes } from 'node:crypto';
import { AppError } from '../../src/common/errors/app-error.js';
import { ErrorCode } from '../../src/common/errors/error-code.js';
import { DEFAULT_RETRY_AFTER_SECONDS, toAppError } from '../../src/common/errors/to-app-error.js';
import { SpendableStorage } from '../../src/common/rate-limit/budget-spend.js';
import { MemoryThrottlerStorage } from '../../src/common/rate-limit/memory-throttler.storage.js';
import { RedisThrottlerStorage } from '../../src/common/rate-limit/redis-throttler.storage.js';
import { testRedis, TestRedis } from './support/redis.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The app's two counter storages must mean the same thing, since REDIS_URL only decides where the
 * counters live: a budget of `limit` hits, then a block whose length Retry-After reports truthfully.
 * Waits are on conditions (the block lifting), never a sleep guessed against the block's length.
 */
describe.each([
  [
    'in memory',
    async () => ({
      storage: new MemoryThrottlerStorage() as ThrottlerStorage,
      close: async () => undefined,
    }),
  ],
  [
    'Redis',
    async () => {
      const redis: TestRedis = await testRedis();
      // A prefix of its own, so runs sharing a Redis never share counters.
      const storage = new RedisThrottlerStorage(redis.url, `oi:test:${randomBytes(4).toString('hex')}:`);
      return {
        storage: storage as ThrottlerStorage,
        close: async () => {
          await storage.onApplicationShutdown();
          await redis.stop();
        },
      };
    },
  ],
])('rate-limit storage (%s)', (_name, open) => {
  let storage: ThrottlerStorage;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ storage, close } = await open());
  });
  afterAll(() => close());

  it('reports the time left in whole seconds, rounded up: never tells a client to come back too early', async () => {
    const first = await storage.increment(`w-${randomBytes(4).toString('hex')}`, 1200, 5, 1200, 'per-key');
    expect(first).toEqual({ totalHits: 1, timeToExpire: 2, isBlocked: false, timeToBlockExpire: 0 });
  });

  it('allows `limit` hits, then blocks for the block duration, then starts counting again', async () => {
    const key = `k-${randomBytes(4).toString('hex')}`;
    const BLOCK_MS = 1200;
    const hit = () => storage.increment(key, 60_000, 2, BLOCK_MS, 'per-key');
    const [first, second] = [await hit(), await hit()];
    expect([first.isBlocked, second.isBlocked, second.totalHits]).toEqual([false, false, 2]);

    const blockedAt = Date.now();
    const third = await hit();
    expect(third).toEqual(expect.objectContaining({ isBlocked: true, timeToBlockExpire: 2 })); // 1.2 s, rounded up

    // Hit until the block lifts: every answer meanwhile says blocked, for at most 2 s more.
    let after = await hit();
    while (after.isBlocked) {
      expect(after.timeToBlockExpire).toBeGreaterThanOrEqual(1);
      expect(after.timeToBlockExpire).toBeLessThanOrEqual(2);
      if (Date.now() - blockedAt > 15_000) throw new Error('the block never lifted');
      await sleep(50);
      after = await hit();
    }
    expect(Date.now() - blockedAt).toBeGreaterThanOrEqual(BLOCK_MS); // not lifted early
    // The hits while blocked were not counted: the budget starts again from one.
    expect(after).toEqual(expect.objectContaining({ isBlocked: false, totalHits: 1 }));
  });

  it('counts keys independently', async () => {
    const a = `a-${randomBytes(4).toString('hex')}`;
    const b = `b-${randomBytes(4).toString('hex')}`;
    await storage.increment(a, 60_000, 1, 60_000, 'per-key');
    expect((await storage.increment(a, 60_000, 1, 60_000, 'per-key')).isBlocked).toBe(true);
    expect((await storage.increment(b, 60_000, 1, 60_000, 'per-key')).isBlocked).toBe(false);
  });

  it('spends several hits at once, all or none, on the same counter as single hits', async () => {
    const key = `s-${randomBytes(4).toString('hex')}`;
    const spendable = storage as SpendableStorage;
    expect(await spendable.spend(key, 60_000, 10, 6)).toEqual({
      allowed: true,
      totalHits: 6,
      retryAfterSeconds: 0,
    });
    const refused = await spendable.spend(key, 60_000, 10, 5);
    expect(refused).toEqual(expect.objectContaining({ allowed: false, totalHits: 6 }));
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(59);
    expect((await spendable.spend(key, 60_000, 10, 3)).totalHits).toBe(9);
    expect((await storage.increment(key, 60_000, 10, 60_000, 'per-key')).totalHits).toBe(10);
    expect((await spendable.spend(key, 60_000, 10, 1)).allowed).toBe(false);
  });

  it('lets exactly `limit` of many concurrent spends through', async () => {
    const key = `cs-${randomBytes(4).toString('hex')}`;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => (storage as SpendableStorage).spend(key, 60_000, 10, 3)),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(3);
  });

  it('lets exactly `limit` of many concurrent hits through', async () => {
    const key = `c-${randomBytes(4).toString('hex')}`;
    const results = await Promise.all(
      Array.from({ length: 50 }, () => storage.increment(key, 60_000, 10, 60_000, 'per-key')),
    );
    expect(results.filter((r) => !r.isBlocked)).toHaveLength(10);
  });
});

describe('Retry-After on every 429', () => {
  it("keeps the error's own Retry-After", () => {
    const own = new AppError(ErrorCode.RATE_LIMITED, undefined, {}, { 'Retry-After': '17' });
    expect(toAppError(own, { 'retry-after': '99' }).error.headers).toEqual({ 'Retry-After': '17' });
  });

  it("takes a bare ThrottlerException's wait from the header @nestjs/throttler set on the reply", () => {
    const { error } = toAppError(new ThrottlerException(), { 'retry-after-invites': 42, 'x-other': '1' });
    expect(error.code).toBe(ErrorCode.RATE_LIMITED);
    expect(error.headers).toEqual({ 'Retry-After': '42' });
  });

  it('falls back to a default when nothing says how long to wait', () => {
    expect(toAppError(new ThrottlerException()).error.headers).toEqual({
      'Retry-After': String(DEFAULT_RETRY_AFTER_SECONDS),
    });
    expect(toAppError(new AppError(ErrorCode.RATE_LIMITED)).error.headers).toEqual({
      'Retry-After': String(DEFAULT_RETRY_AFTER_SECONDS),
    });
  });

  it('adds no Retry-After to other errors', () => {
    expect(toAppError(new AppError(ErrorCode.LAST_OWNER), { 'retry-after': '5' }).error.headers).toEqual({});
  });
});
