import { Global, Module } from '@nestjs/common';
import { DatabasePoolMetrics } from './database-pool.metrics.js';
import { MetricsService } from './metrics.service.js';

/** Global so any feature (the mail worker, the error filter, later the job queue) can add to it. */
@Global()
@Module({ providers: [MetricsService, DatabasePoolMetrics], exports: [MetricsService] })
export class MetricsModule {}
