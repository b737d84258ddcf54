import { Module } from '@nestjs/common';
import { IdempotencyRepository } from './idempotency.repository.js';

/** Idempotency-Key records; the interceptor itself is registered globally in AppModule. */
@Module({
  providers: [IdempotencyRepository],
  exports: [IdempotencyRepository],
})
export class IdempotencyModule {}
