import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';

/**
 * EVENT_RETENTION_DAYS: older events are deleted by the sweeper (src/sweeper/sweeper.ts), which also
 * has the webhooks module prune its finished deliveries of the same age (each table has one writer).
 */
@Injectable()
export class EventRetention {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
  ) {}

  /** Deletes what is past retention; returns how many events went. */
  async prune(): Promise<number> {
    const days = this.config.eventRetentionDays;
    const [, count]: [unknown[], number] = await this.dataSource.query(
      `DELETE FROM events WHERE created_at < now() - $1 * interval '1 day'`,
      [days],
    );
    return count;
  }
}
