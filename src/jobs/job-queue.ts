import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

export interface JobOptions {
  runAt?: Date;
  /** One queued job per key: adding again replaces the queued one (graphile-worker's job_key). */
  jobKey?: string;
  /** graphile's own retries, for a task that throws (a database fault); domain retries are the task's. */
  maxAttempts?: number;
}

export interface JobSpec extends JobOptions {
  payload: object;
}

const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * Adds jobs through the caller's EntityManager, so a job exists exactly when the change that needs
 * it commits (graphile-worker's add_job/add_jobs are plain SQL, usable on any connection).
 */
@Injectable()
export class JobQueue {
  async add(manager: EntityManager, task: string, payload: object, options: JobOptions = {}): Promise<void> {
    await this.addAll(manager, task, [{ payload, ...options }]);
  }

  /** Many jobs of one task in one statement (graphile-worker's add_jobs), however many there are. */
  async addAll(manager: EntityManager, task: string, jobs: readonly JobSpec[]): Promise<void> {
    if (jobs.length === 0) return;
    const specs = jobs.map((job) => ({
      identifier: task,
      payload: job.payload,
      run_at: job.runAt?.toISOString() ?? null,
      max_attempts: job.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      job_key: job.jobKey ?? null,
    }));
    await manager.query(
      `SELECT count(*) FROM graphile_worker.add_jobs(
         array(SELECT json_populate_recordset(null::graphile_worker.job_spec, $1::json)))`,
      [JSON.stringify(specs)],
    );
  }
}
