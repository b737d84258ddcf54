import { Global, Module } from '@nestjs/common';
import { JobQueue } from './job-queue.js';
import { JobRunner } from './job-runner.js';

/** Global: any feature adds jobs in its transactions and defines the tasks that run them. */
@Global()
@Module({
  providers: [JobQueue, JobRunner],
  exports: [JobQueue, JobRunner],
})
export class JobsModule {}
