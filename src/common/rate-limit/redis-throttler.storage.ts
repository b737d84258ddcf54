import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { Redis } from 'ioredis';
import { BudgetSpend, SpendableStorage } from './budget-spend.js';

/**
 * One hit, atomically: a fixed window counter (INCR, PEXPIRE on the first hit) plus a block marker
 * set when the limit is passed. While blocked, hits are not counted; when the block ends, the
 * count starts again from zero (as @nestjs/throttler's in-memory storage does).
 * KEYS: counter, block marker. ARGV: window ms, limit, block ms.
 * Returns { hits, window ms left, blocked 0/1, block ms left }.
 */
const HIT_SCRIPT = `
local limit = tonumber(ARGV[2])
local blockLeft = redis.call('PTTL', KEYS[2])
if blockLeft > 0 then
  return {limit + 1, blockLeft, 1, blockLeft}
end
local hits = redis.call('INCR', KEYS[1])
local windowLeft = redis.call('PTTL', KEYS[1])
if windowLeft < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  windowLeft = tonumber(ARGV[1])
end
if hits <= limit then
  return {hits, windowLeft, 0, 0}
end
local blockMs = tonumber(ARGV[3])
if blockMs <= 0 then
  return {hits, windowLeft, 1, windowLeft}
end
redis.call('SET', KEYS[2], '1', 'PX', blockMs)
redis.call('DEL', KEYS[1])
return {hits, blockMs, 1, blockMs}
`;

/**
 * All of a cost, or none (SpendableStorage): while blocked, or when the window cannot hold the
 * cost, nothing is counted. KEYS: counter, block marker. ARGV: window ms, limit, cost.
 * Returns { allowed 0/1, hits, ms until the window or block ends }.
 */
const SPEND_SCRIPT = `
local blockLeft = redis.call('PTTL', KEYS[2])
if blockLeft > 0 then
  return {0, tonumber(ARGV[2]) + 1, blockLeft}
end
local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
local windowLeft = redis.call('PTTL', KEYS[1])
if windowLeft < 0 then windowLeft = tonumber(ARGV[1]) end
if hits + tonumber(ARGV[3]) > tonumber(ARGV[2]) then
  return {0, hits, windowLeft}
end
hits = redis.call('INCRBY', KEYS[1], ARGV[3])
if redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return {1, hits, 0}
`;

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

type HitReply = [number, number, number, number];

interface RedisWithHit extends Redis {
  rateLimitHit(
    counterKey: string,
    blockKey: string,
    windowMs: number,
    limit: number,
    blockMs: number,
  ): Promise<HitReply>;
  rateLimitSpend(
    counterKey: string,
    blockKey: string,
    windowMs: number,
    limit: number,
    cost: number,
  ): Promise<[number, number, number]>;
}

const FAILURE_LOG_INTERVAL_MS = 60_000;
const COMMAND_TIMEOUT_MS = 500;
/** After a failure, how long requests skip Redis before one tries it again. */
const PROBE_INTERVAL_MS = 5_000;

/**
 * Rate-limit counters in Redis, so every instance of the service spends one shared budget.
 * If Redis cannot answer, the request is let through (fail open) and the failure logged: the rate
 * limit protects the service, it must not take it down with Redis.
 */
export class RedisThrottlerStorage implements SpendableStorage, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly redis: RedisWithHit;
  private lastFailureLog = 0;
  private lastFailure = 0;
  private closed = false;

  constructor(
    url: string,
    private readonly prefix = 'oi:rl:',
  ) {
    this.redis = new Redis(url, {
      // A hit may wait for the connection (at start), but never longer than this.
      commandTimeout: COMMAND_TIMEOUT_MS,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
    }) as RedisWithHit;
    this.redis.defineCommand('rateLimitHit', { numberOfKeys: 2, lua: HIT_SCRIPT });
    this.redis.defineCommand('rateLimitSpend', { numberOfKeys: 2, lua: SPEND_SCRIPT });
    this.redis.on('error', (error: Error) => this.logFailure(error));
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
  ): Promise<ThrottlerStorageRecord> {
    // The hash tag keeps both keys in one slot, so the script also works on Redis Cluster.
    const base = `${this.prefix}{${key}}`;
    // While Redis is known to be away, do not make every request wait for the command timeout.
    if (this.redis.status !== 'ready' && Date.now() - this.lastFailure < PROBE_INTERVAL_MS)
      return this.unlimited(ttl);
    try {
      const [hits, windowLeft, blocked, blockLeft] = await this.redis.rateLimitHit(
        `${base}:hits`,
        `${base}:block`,
        ttl,
        limit,
        blockDuration,
      );
      return {
        totalHits: hits,
        timeToExpire: Math.ceil(windowLeft / 1000),
        isBlocked: blocked === 1,
        timeToBlockExpire: Math.ceil(blockLeft / 1000),
      };
    } catch (error) {
      this.logFailure(error as Error);
      return this.unlimited(ttl);
    }
  }

  async spend(key: string, ttl: number, limit: number, cost: number): Promise<BudgetSpend> {
    const base = `${this.prefix}{${key}}`;
    const open: BudgetSpend = { allowed: true, totalHits: 0, retryAfterSeconds: 0 };
    if (this.redis.status !== 'ready' && Date.now() - this.lastFailure < PROBE_INTERVAL_MS) return open;
    try {
      const [allowed, hits, msLeft] = await this.redis.rateLimitSpend(
        `${base}:hits`,
        `${base}:block`,
        ttl,
        limit,
        cost,
      );
      return { allowed: allowed === 1, totalHits: hits, retryAfterSeconds: Math.ceil(msLeft / 1000) };
    } catch (error) {
      // Fail open, as for a single hit.
      this.logFailure(error as Error);
      return open;
    }
  }

  private unlimited(ttl: number): ThrottlerStorageRecord {
    return { totalHits: 0, timeToExpire: Math.ceil(ttl / 1000), isBlocked: false, timeToBlockExpire: 0 };
  }

  private logFailure(error: Error): void {
    const now = Date.now();
    this.lastFailure = now;
    if (this.closed || now - this.lastFailureLog < FAILURE_LOG_INTERVAL_MS) return;
    this.lastFailureLog = now;
    this.logger.warn(`Redis rate-limit storage unavailable, not limiting: ${error.message}`);
  }

  /** After the HTTP server has drained, so in-flight requests can still count. */
  async onApplicationShutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
