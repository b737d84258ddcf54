import { Logger, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { RedisHealthIndicator } from './redis.health.js';

@Module({
  // Terminus' failure reports go through Nest's Logger, i.e. our pino logger, not straight to stdout.
  imports: [
    TerminusModule.forRootAsync({
      useFactory: () => ({ logger: new Logger('Health'), errorLogStyle: 'json' }),
    }),
  ],
  controllers: [HealthController],
  providers: [RedisHealthIndicator],
})
export class HealthModule {}
