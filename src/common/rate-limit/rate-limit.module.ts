import { Module } from '@nestjs/common';
import { ThrottlerModule, ThrottlerStorage } from '@nestjs/throttler';
import { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { rateLimitKey, rateLimitThrottlers } from './rate-limit-throttlers.js';
import { MemoryThrottlerStorage } from './memory-throttler.storage.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';

/** Counters in memory by default; in Redis when REDIS_URL is set, so several instances share one budget. */
function storageFor(config: AppConfig): ThrottlerStorage {
  return config.redisUrl ? new RedisThrottlerStorage(config.redisUrl) : new MemoryThrottlerStorage();
}

/**
 * Configures @nestjs/throttler (global). The guard itself, RateLimitGuard, is an APP_GUARD in
 * AppModule right after the AuthGuard, because it counts per resolved key and organization.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        throttlers: rateLimitThrottlers(config),
        storage: storageFor(config),
        generateKey: rateLimitKey,
        // Our 429 carries Retry-After itself; no per-budget X-RateLimit-* headers.
        setHeaders: false,
      }),
    }),
  ],
})
export class RateLimitModule {}
