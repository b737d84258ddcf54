import {
  Inject,
  Injectable,
  Logger as NestLogger,
  OnApplicationBootstrap,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import { Logger, run, runMigrations, runOnce, type Runner, type Task, type TaskList } from 'graphile-worker';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { MetricsService } from '../metrics/metrics.service.js';

const nest = new NestLogger('JobQueue');
/** graphile-worker's log lines into the app's logger (it writes to the console otherwise). */
const logger = new Logger((scope) => (level, message) => {
  const line = `${message}${scope.taskIdentifier ? ` (task ${scope.taskIdentifier}, job ${scope.jobId})` : ''}`;
  if (level === 'error') nest.error(line);
  else if (level === 'warning') nest.warn(line);
  else if (level === 'info') nest.debug(line);
});

/** Jobs run at once per instance. */
const CONCURRENCY = 8;

/** How long an idle pool ignores new-job notifications after a fetch found none (it adds that much to a new job's start at most). */
const REFETCH_DELAY_MS = 100;

/** The pool's options where new-job notifications are mostly for other instances' tasks. */
function dampedIdlePolls(pollInterval: number) {
  return {
    worker: {
      localQueue: {
        size: CONCURRENCY,
        refetchDelay: { durationMs: Math.min(REFETCH_DELAY_MS, pollInterval), maxAbortThreshold: Infinity },
      },
    },
  };
}

/**
 * The worker's own pool, which the runner borrows. With a connection string instead,
 * graphile-worker 0.17 makes the pool itself and, at stop, removes its error listeners and ends it
 * without waiting: a connection the server closed meanwhile (the embedded PostgreSQL stopping right
 * after the app) then raised an unhandled 'error' and the process exited 1 on SIGTERM (seen in CI
 * on Node 24, reproduced 1 in ~20 restarts under load). Here the listeners stay for the pool's
 * life and `stop` waits for its end.
 */
function workerPool(connectionString: string): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: CONCURRENCY + 2 }); // its docs: smaller can stall job release
  const report = (error: Error) => nest.error(`PostgreSQL client of the job worker: ${error.message}`);
  pool.on('error', report);
  pool.on('connect', (client) => client.on('error', report));
  return pool;
}

/**
 * The job queue's worker (graphile-worker on the application's PostgreSQL). Feature modules
 * `define` their tasks (and periodic schedules) at construction; the queue's schema is installed or
 * upgraded at every start, and with JOBS_ENABLED the worker runs until the app shuts down.
 * Instances share the queue: each job is locked by one worker at a time.
 */
/**
 * Which switch runs a task here: `jobs` (JOBS_ENABLED: webhook deliveries, the sweeper) or `mail`
 * (MAIL_WORKER_ENABLED: the emails). A worker only takes jobs of the tasks it runs.
 */
export type TaskGroup = 'jobs' | 'mail';

@Injectable()
export class JobRunner implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly tasks = new Map<string, { task: Task; group: TaskGroup }>();
  private readonly crontab: { line: string; task: string }[] = [];
  private runner: Runner | undefined;
  private pool: pg.Pool | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig & { databaseUrl: string },
    private readonly metrics: MetricsService,
    dataSource: DataSource,
  ) {
    // Read at scrape time: jobs waiting (due or not, not running) and jobs that used up their attempts.
    let counts: Promise<{ queued: number; failed: number }> | undefined;
    const read = () =>
      (counts ??= dataSource
        .query(
          `SELECT count(*) FILTER (WHERE locked_at IS NULL AND attempts < max_attempts)::int AS queued,
                  count(*) FILTER (WHERE attempts >= max_attempts)::int AS failed
             FROM graphile_worker.jobs`,
        )
        .then((rows: { queued: number; failed: number }[]) => rows[0])
        .finally(() => setTimeout(() => (counts = undefined), 0)));
    metrics.gauge({
      name: 'jobs_queued',
      help: 'Jobs of the queue waiting to run (due now or later)',
      async collect() {
        this.set((await read()).queued);
      },
    });
    metrics.gauge({
      name: 'jobs_failed',
      help: 'Jobs that used up their attempts (kept by the queue for inspection)',
      async collect() {
        this.set((await read()).failed);
      },
    });
  }

  define(name: string, task: Task, group: TaskGroup = 'jobs'): void {
    this.tasks.set(name, { task, group });
  }

  /**
   * A periodic job; graphile-worker's crontab runs each tick once across all instances. `options`
   * are the crontab's (`jobKey=…`, `fill=…`), without the `?`.
   */
  every(cron: string, name: string, options?: string): void {
    this.crontab.push({ line: `${cron} ${name}${options ? ` ?${options}` : ''}`, task: name });
  }

  /** The tasks this process runs, by JOBS_ENABLED and MAIL_WORKER_ENABLED. */
  private enabledTasks(): TaskList {
    const enabled = { jobs: this.config.jobsEnabled, mail: this.config.mailWorkerEnabled };
    const list: TaskList = {};
    for (const [name, { task, group }] of this.tasks) if (enabled[group]) list[name] = task;
    return list;
  }

  /** Jobs are added in the change's transaction, so the queue's schema exists even where no worker runs. */
  async onModuleInit(): Promise<void> {
    await runMigrations({ connectionString: this.config.databaseUrl, logger });
  }

  async onApplicationBootstrap(): Promise<void> {
    const taskList = this.enabledTasks();
    if (Object.keys(taskList).length === 0) return;
    // New jobs arrive by LISTEN/NOTIFY at once; the interval only matters for jobs due later (retries).
    const pollInterval = this.config.mailWorkerEnabled
      ? Math.min(this.config.jobsPollIntervalMs, this.config.mailPollIntervalMs)
      : this.config.jobsPollIntervalMs;
    this.pool = workerPool(this.config.databaseUrl);
    this.runner = await run({
      pgPool: this.pool,
      concurrency: CONCURRENCY,
      pollInterval,
      taskList,
      crontab: this.crontab
        .filter((item) => item.task in taskList)
        .map((item) => item.line)
        .join('\n'),
      noHandleSignals: true, // the app's shutdown hooks own SIGTERM
      logger,
      // Every add_jobs NOTIFY wakes the pool, and a woken worker polls even when the new job is of a
      // task it does not run: an instance with the mail worker off is woken by each invitation's
      // email job (1.75 polls per invite, measured). There, a local queue fetches for all the
      // pool's workers, and after a fetch that finds nothing waits REFETCH_DELAY_MS before the next,
      // however many notifications arrive (graphile-worker's own remedy for this load). An instance
      // that sends mail keeps picking each job up at once: the notifications are for its own work.
      ...(this.config.mailWorkerEnabled ? {} : { preset: dampedIdlePolls(pollInterval) }),
    });
    this.runner.events.on('job:error', ({ job }) =>
      this.metrics.jobFailures.inc({ task: job.task_identifier }),
    );
  }

  /** Runs every job due now until none is left, then returns (tests use this instead of a worker). */
  async runOnce(): Promise<void> {
    // The `jobs` group only: emails have their own on-demand trigger (OutboxWorker.drain).
    const taskList: TaskList = {};
    for (const [name, { task, group }] of this.tasks) if (group === 'jobs') taskList[name] = task;
    await runOnce({ connectionString: this.config.databaseUrl, taskList, logger });
  }

  /**
   * No new jobs; running ones finish. Idempotent: createApp's close calls it beside the HTTP drain
   * (so a long job never holds the drain up), and Nest's shutdown calls it again before the pool closes.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.runner?.stop();
      await this.pool?.end();
    })();
    return this.stopping;
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }
}
