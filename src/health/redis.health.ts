import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';

/**
 * Readiness of the Redis that holds the shared rate-limit counters (REDIS_URL): a PING on a client
 * of its own, so a probe never queues behind rate-limit traffic. Terminus has no Redis indicator
 * outside @nestjs/microservices.
 */
@Injectable()
export class RedisHealthIndicator implements OnApplicationShutdown {
  private client: Redis | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly health: HealthIndicatorService,
  ) {}

  get enabled(): boolean {
    return this.config.redisUrl !== undefined;
  }

  pingCheck(key: string, timeoutMs: number) {
    return this.health
      .check(key)
      .attempt(async () => {
        const reply = await this.redis().ping();
        if (reply !== 'PONG') throw new Error(`unexpected PING reply ${reply}`);
      })
      .withTimeout(timeoutMs);
  }

  private redis(): Redis {
    this.client ??= new Redis(this.config.redisUrl!, {
      lazyConnect: false,
      connectTimeout: 2000,
      commandTimeout: 1000,
      maxRetriesPerRequest: 0,
      // Reconnect errors are the probe's answer (503), not log lines on every retry.
      enableOfflineQueue: true,
    });
    this.client.on('error', () => undefined);
    return this.client;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client?.quit().catch(() => this.client?.disconnect());
  }
}
