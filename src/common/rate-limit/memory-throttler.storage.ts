import { ThrottlerStorage } from '@nestjs/throttler';
import { BudgetSpend, SpendableStorage } from './budget-spend.js';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** How often expired counters are dropped (lazily, on a hit: no timer to stop at shutdown). */
const SWEEP_INTERVAL_MS = 60_000;

const seconds = (ms: number) => Math.ceil(ms / 1000);

function blocked(totalHits: number, msLeft: number): ThrottlerStorageRecord {
  return { totalHits, timeToExpire: seconds(msLeft), isBlocked: true, timeToBlockExpire: seconds(msLeft) };
}

/**
 * Rate-limit counters in this process, with the Redis storage's semantics (a fixed window per
 * key, then a block; see redis-throttler.storage.ts), so REDIS_URL only decides where counters
 * live. Each hit is O(1). @nestjs/throttler's own ThrottlerStorageService keeps a timestamp per
 * hit and scans them all on every request: O(limit) per request, which with a high limit cost a
 * third of a simple GET's CPU (measured with `npm run bench`).
 */
export class MemoryThrottlerStorage implements SpendableStorage {
  private readonly windows = new Map<string, { hits: number; resetAt: number }>();
  private readonly blocks = new Map<string, number>();
  private lastSweep: number;

  constructor(private readonly now: () => number = Date.now) {
    this.lastSweep = now();
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
  ): Promise<ThrottlerStorageRecord> {
    const now = this.now();
    if (now - this.lastSweep >= SWEEP_INTERVAL_MS) this.sweep(now);

    const blockedUntil = this.blocks.get(key);
    if (blockedUntil !== undefined) {
      if (blockedUntil > now) return blocked(limit + 1, blockedUntil - now);
      this.blocks.delete(key);
    }
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { hits: 0, resetAt: now + ttl };
      this.windows.set(key, window);
    }
    window.hits += 1;
    const windowLeft = window.resetAt - now;
    if (window.hits <= limit)
      return {
        totalHits: window.hits,
        timeToExpire: seconds(windowLeft),
        isBlocked: false,
        timeToBlockExpire: 0,
      };
    if (blockDuration <= 0) return blocked(window.hits, windowLeft);
    // Over the limit: block, and count from zero again once the block ends.
    this.blocks.set(key, now + blockDuration);
    this.windows.delete(key);
    return blocked(window.hits, blockDuration);
  }

  /** All of `cost` hits, or none (see SpendableStorage). */
  async spend(key: string, ttl: number, limit: number, cost: number): Promise<BudgetSpend> {
    const now = this.now();
    if (now - this.lastSweep >= SWEEP_INTERVAL_MS) this.sweep(now);
    const blockedUntil = this.blocks.get(key);
    if (blockedUntil !== undefined && blockedUntil > now) {
      return { allowed: false, totalHits: limit + 1, retryAfterSeconds: seconds(blockedUntil - now) };
    }
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { hits: 0, resetAt: now + ttl };
      this.windows.set(key, window);
    }
    const windowLeft = seconds(window.resetAt - now);
    if (window.hits + cost > limit)
      return { allowed: false, totalHits: window.hits, retryAfterSeconds: windowLeft };
    window.hits += cost;
    return { allowed: true, totalHits: window.hits, retryAfterSeconds: 0 };
  }

  /** Counters in use (for tests: expired ones are dropped). */
  get size(): number {
    return this.windows.size + this.blocks.size;
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
    for (const [key, until] of this.blocks) if (until <= now) this.blocks.delete(key);
  }
}
