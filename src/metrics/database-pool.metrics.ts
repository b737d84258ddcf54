import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MetricsService } from './metrics.service.js';

/** The parts of node-postgres' Pool that TypeORM's postgres driver keeps as `driver.master`. */
interface PgPoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options?: { max?: number };
}

/** Gauges read from the pg pool behind TypeORM at scrape time (nothing runs between scrapes). */
@Injectable()
export class DatabasePoolMetrics {
  constructor(metrics: MetricsService, dataSource: DataSource) {
    const pool = () => (dataSource.driver as unknown as { master?: PgPoolCounts }).master;
    metrics.gauge({
      name: 'db_pool_connections',
      help: 'Connections in the database pool, by state (in_use, idle)',
      labelNames: ['state'] as const,
      collect() {
        const p = pool();
        this.set({ state: 'in_use' }, p ? p.totalCount - p.idleCount : 0);
        this.set({ state: 'idle' }, p?.idleCount ?? 0);
      },
    });
    metrics.gauge({
      name: 'db_pool_waiting_requests',
      help: 'Queries waiting for a free connection from the database pool',
      collect() {
        this.set(pool()?.waitingCount ?? 0);
      },
    });
    metrics.gauge({
      name: 'db_pool_max_connections',
      help: 'The size limit of the database pool',
      collect() {
        this.set(pool()?.options?.max ?? 0);
      },
    });
  }
}
