import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

export interface JobOptions {
  runAt?: Date;
  /** One queued job per key: adding again replaces the queued one (graphile-worker's job_key). */
  jobKey?: string;
  /** graphile's own retries, for a task that throws (a database fault); domain retries are the task's. */
  maxAttempts?: number;
}

/**
 * Adds jobs through the caller's EntityManager, so a job exists exactly when the change that needs
 * it commits (graphile-worker's add_job is plain SQL, usable on any connection).
 */
@Injectable()
export class JobQueue {
  async add(manager: EntityManager, task: string, payload: object, options: JobOptions = {}): Promise<void> {
    await manager.query(
      `SELECT graphile_worker.add_job($1, $2::json, run_at => $3::timestamptz, max_attempts => $4::int, job_key => $5::text)`,
      [task, JSON.stringify(payload), options.runAt ?? null, options.maxAttempts ?? 5, options.jobKey ?? null],
    );
  }
}
