import {
  Inject,
  Injectable,
  Logger as NestLogger,
  OnApplicationBootstrap,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import { Logger, run, runMigrations, runOnce, type Runner, type Task, type TaskList } from 'graphile-worker';
import { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';

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

/**
 * The job queue's worker (graphile-worker on the application's PostgreSQL). Feature modules
 * `define` their tasks (and periodic schedules) at construction; the queue's schema is installed or
 * upgraded at every start, and with JOBS_ENABLED the worker runs until the app shuts down.
 * Instances share the queue: each job is locked by one worker at a time.
 */
@Injectable()
export class JobRunner implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly tasks: TaskList = {};
  private readonly crontab: string[] = [];
  private runner: Runner | undefined;
  private stopping: Promise<void> | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig & { databaseUrl: string }) {}

  define(name: string, task: Task): void {
    this.tasks[name] = task;
  }

  /** A periodic job; graphile-worker's crontab runs each tick once across all instances. */
  every(cron: string, name: string): void {
    this.crontab.push(`${cron} ${name}`);
  }

  /** Jobs are added in the change's transaction, so the queue's schema exists even where no worker runs. */
  async onModuleInit(): Promise<void> {
    await runMigrations({ connectionString: this.config.databaseUrl, logger });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.jobsEnabled) return;
    this.runner = await run({
      connectionString: this.config.databaseUrl,
      concurrency: CONCURRENCY,
      maxPoolSize: CONCURRENCY + 2, // its docs: a pool smaller than that can stall job release
      pollInterval: this.config.jobsPollIntervalMs,
      taskList: this.tasks,
      crontab: this.crontab.join('\n'),
      noHandleSignals: true, // the app's shutdown hooks own SIGTERM
      logger,
    });
  }

  /** Runs every job due now until none is left, then returns (tests and CLI use this instead of a worker). */
  async runOnce(): Promise<void> {
    await runOnce({ connectionString: this.config.databaseUrl, taskList: this.tasks, logger });
  }

  /**
   * No new jobs; running ones finish. Idempotent: createApp's close calls it beside the HTTP drain
   * (so a long job never holds the drain up), and Nest's shutdown calls it again before the pool closes.
   */
  stop(): Promise<void> {
    this.stopping ??= this.runner?.stop() ?? Promise.resolve();
    return this.stopping;
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }
}
