import { describe, expect, it } from '@jest/globals';
import { MemoryThrottlerStorage } from './memory-throttler.storage.js';

/** A clock the test moves by hand, so windows and blocks can be crossed without sleeping. */
function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('MemoryThrottlerStorage', () => {
  it('allows `limit` hits, then blocks for the block duration (Retry-After rounded up), then counts from zero', async () => {
    const c = clock();
    const storage = new MemoryThrottlerStorage(c.now);
    expect(await storage.increment('k', 1000, 2, 1500)).toEqual({
      totalHits: 1,
      timeToExpire: 1,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
    expect((await storage.increment('k', 1000, 2, 1500)).isBlocked).toBe(false);

    expect(await storage.increment('k', 1000, 2, 1500)).toEqual({
      totalHits: 3,
      timeToExpire: 2,
      isBlocked: true,
      timeToBlockExpire: 2,
    });
    c.advance(1000);
    expect(await storage.increment('k', 1000, 2, 1500)).toEqual({
      totalHits: 3,
      timeToExpire: 1,
      isBlocked: true,
      timeToBlockExpire: 1,
    });

    c.advance(600);
    expect(await storage.increment('k', 1000, 2, 1500)).toEqual({
      totalHits: 1,
      timeToExpire: 1,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
  });

  it('starts a new window when the old one has passed', async () => {
    const c = clock();
    const storage = new MemoryThrottlerStorage(c.now);
    await storage.increment('k', 60_000, 5, 60_000);
    await storage.increment('k', 60_000, 5, 60_000);
    c.advance(60_000);
    expect(await storage.increment('k', 60_000, 5, 60_000)).toEqual(
      expect.objectContaining({ totalHits: 1, timeToExpire: 60 }),
    );
  });

  it('without a block duration, refuses until the window ends', async () => {
    const c = clock();
    const storage = new MemoryThrottlerStorage(c.now);
    await storage.increment('k', 10_000, 1, 0);
    c.advance(2500);
    expect(await storage.increment('k', 10_000, 1, 0)).toEqual({
      totalHits: 2,
      timeToExpire: 8,
      isBlocked: true,
      timeToBlockExpire: 8,
    });
    c.advance(7500);
    expect((await storage.increment('k', 10_000, 1, 0)).isBlocked).toBe(false);
  });

  it('counts keys independently', async () => {
    const storage = new MemoryThrottlerStorage();
    await storage.increment('a', 60_000, 1, 60_000);
    expect((await storage.increment('a', 60_000, 1, 60_000)).isBlocked).toBe(true);
    expect((await storage.increment('b', 60_000, 1, 60_000)).isBlocked).toBe(false);
  });

  it('lets exactly `limit` of many concurrent hits through', async () => {
    const storage = new MemoryThrottlerStorage();
    const results = await Promise.all(
      Array.from({ length: 50 }, () => storage.increment('c', 60_000, 10, 60_000)),
    );
    expect(results.filter((r) => !r.isBlocked)).toHaveLength(10);
  });

  it('drops expired counters, so many one-off keys (client addresses) do not accumulate', async () => {
    const c = clock();
    const storage = new MemoryThrottlerStorage(c.now);
    for (let i = 0; i < 1000; i++) await storage.increment(`ip-${i}`, 60_000, 100, 60_000);
    await storage.increment('blocked', 60_000, 0, 30_000);
    expect(storage.size).toBe(1001);
    c.advance(60_000);
    await storage.increment('fresh', 60_000, 100, 60_000);
    expect(storage.size).toBe(1);
  });

  describe('spend (several hits at once, all or none)', () => {
    it('spends what fits, refuses what does not without counting it, and lets a smaller spend through', async () => {
      const storage = new MemoryThrottlerStorage(clock().now);
      expect(await storage.spend('k', 60_000, 10, 6)).toEqual({
        allowed: true,
        totalHits: 6,
        retryAfterSeconds: 0,
      });
      expect(await storage.spend('k', 60_000, 10, 5)).toEqual({
        allowed: false,
        totalHits: 6,
        retryAfterSeconds: 60,
      });
      expect(await storage.spend('k', 60_000, 10, 4)).toEqual({
        allowed: true,
        totalHits: 10,
        retryAfterSeconds: 0,
      });
      // The single-hit counter is the same one: the budget is spent.
      expect((await storage.increment('k', 60_000, 10, 60_000)).isBlocked).toBe(true);
    });

    it('refuses while the key is blocked, and starts a new window when the old one has passed', async () => {
      const c = clock();
      const storage = new MemoryThrottlerStorage(c.now);
      await storage.increment('k', 60_000, 1, 30_000);
      await storage.increment('k', 60_000, 1, 30_000); // over: blocked 30 s
      expect(await storage.spend('k', 60_000, 5, 1)).toEqual({
        allowed: false,
        totalHits: 6,
        retryAfterSeconds: 30,
      });
      c.advance(30_000);
      expect((await storage.spend('k', 60_000, 5, 5)).allowed).toBe(true);
      c.advance(60_000);
      expect(await storage.spend('k', 60_000, 5, 5)).toEqual({
        allowed: true,
        totalHits: 5,
        retryAfterSeconds: 0,
      });
    });
  });
});
