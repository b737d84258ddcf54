import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { JobQueue } from '../jobs/job-queue.js';
import { JobRunner } from '../jobs/job-runner.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { ClaimedEmail, EMAIL_TASK, OutboxRepository } from '../outbox/outbox.repository.js';
import { EmailOutcomes } from './email-outcomes.js';
import { InvitationMailer } from './invitation-mailer.js';
import { SEND_TIMEOUT_MS } from './mailer-options.js';
import { smtpSecrets } from './mail-transport.js';
import { VerificationCodeMailer } from './verification-code-mailer.js';
import { retryDelayMs } from './retry-backoff.js';
import { describeSendError } from './send-error.js';

/** Rows claimed per round of `drain()`; they are sent concurrently. */
const BATCH_SIZE = 10;
/** Well beyond the send timeout, so no other worker claims a row while its send may still succeed. */
const LEASE_MS = 2 * SEND_TIMEOUT_MS + 60_000;
/** The backstop job that gives every due row without a live job one (see OutboxRepository.addJobsForDue). */
export const EMAIL_SWEEP_TASK = 'email_sweep';
/** Rows the sweep gives jobs per round. */
const SWEEP_LIMIT = 1000;

/**
 * Sends the outbox on the job queue (graphile-worker). Each queued row has an `email_send` job,
 * added with the row (the table's trigger) or with its retry: the job claims the row (lease, SKIP
 * LOCKED), sends it and records the outcome on the row and the invitation. With MAIL_WORKER_ENABLED
 * the process runs these jobs, and `email_sweep`, a job keyed so one chain runs across instances
 * (rescheduling itself every MAIL_POLL_INTERVAL_MS, restarted each minute by the crontab should a
 * crash take it), gives a job to any due row that has none. `drain()` sends what is due on demand.
 */
@Injectable()
export class OutboxWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('OutboxWorker');
  private readonly secrets: string[];
  private stopping = false;
  /** The drain in progress (or the last one); drains queue behind it. */
  private pass: Promise<unknown> = Promise.resolve();
  /** This process's `email_send` jobs still running: a row they leased is skipped by a drain, so it waits for them. */
  private readonly jobsRunning = new Set<Promise<void>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly outbox: OutboxRepository,
    private readonly outcomes: EmailOutcomes,
    private readonly mailer: InvitationMailer,
    private readonly metrics: MetricsService,
    private readonly codeMailer: VerificationCodeMailer,
    private readonly jobs: JobQueue,
    private readonly dataSource: DataSource,
    runner: JobRunner,
  ) {
    this.secrets = smtpSecrets(config);
    runner.define(
      EMAIL_TASK,
      (payload) => this.sendOne((payload as { outbox_id: string }).outbox_id),
      'mail',
    );
    runner.define(EMAIL_SWEEP_TASK, () => this.sweep(), 'mail');
    runner.every('* * * * *', EMAIL_SWEEP_TASK, `jobKey=${EMAIL_SWEEP_TASK}`);
  }

  /** Starts the sweep's chain (the key keeps it one chain however many instances start). */
  async onApplicationBootstrap(): Promise<void> {
    if (this.config.mailWorkerEnabled) await this.scheduleSweep(new Date());
  }

  /** On shutdown: no new claims; the sends already started finish and are recorded. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await this.pass;
  }

  /**
   * Sends everything due now (after any drain already running), and resolves with the number of
   * rows this call handled. Retries scheduled for later are left for later.
   */
  drain(): Promise<number> {
    const run = this.pass.then(async () => {
      const handled = await this.sendUntilIdle();
      await Promise.allSettled([...this.jobsRunning]);
      return handled;
    });
    this.pass = run.catch(() => undefined);
    return run;
  }

  /** The `email_send` job: one row, if it is still queued, due and free. */
  private async sendOne(outboxId: string): Promise<void> {
    if (this.stopping) return;
    const job = this.outbox
      .claim(outboxId, LEASE_MS)
      .then((claimed) => (claimed ? this.deliver(claimed) : undefined));
    this.jobsRunning.add(job);
    try {
      await job;
    } finally {
      this.jobsRunning.delete(job);
    }
  }

  private async sweep(): Promise<void> {
    try {
      const added = await this.outbox.addJobsForDue(SWEEP_LIMIT);
      if (added > 0) this.logger.debug(`mail sweep: ${added} due row(s) given a job`);
    } finally {
      if (!this.stopping) await this.scheduleSweep(new Date(Date.now() + this.config.mailPollIntervalMs));
    }
  }

  private scheduleSweep(runAt: Date): Promise<void> {
    return this.jobs.add(this.dataSource.manager, EMAIL_SWEEP_TASK, {}, { runAt, jobKey: EMAIL_SWEEP_TASK });
  }

  private async sendUntilIdle(): Promise<number> {
    let handled = 0;
    while (!this.stopping) {
      const claimed = await this.outbox.claimDue(BATCH_SIZE, LEASE_MS);
      if (claimed.length === 0) break;
      const results = await Promise.allSettled(claimed.map((email) => this.deliver(email)));
      for (const result of results) {
        if (result.status === 'rejected') {
          // Recording the outcome failed (database trouble): the lease runs out and the row is tried again.
          this.logger.error(`outbox row not updated: ${describeSendError(result.reason, this.secrets)}`);
        }
      }
      handled += claimed.length;
    }
    return handled;
  }

  private async deliver(email: ClaimedEmail): Promise<void> {
    let outcome: 'sent' | 'superseded';
    try {
      outcome = await this.send(email);
    } catch (error) {
      await this.recordFailure(email, error);
      return;
    }
    if (outcome === 'superseded') {
      await this.outbox.markSuperseded(email);
      this.metrics.recordEmailDelivery('superseded');
      this.logger.log({
        msg: 'email superseded, not sent',
        message_id: email.messageId,
        ...subjectOf(email),
      });
      return;
    }
    await this.outcomes.markSent(email);
    this.metrics.recordEmailDelivery('sent');
    this.logger.log({
      msg: 'email sent',
      message_id: email.messageId,
      ...subjectOf(email),
      attempt: email.attempts,
    });
  }

  /** The row is about an invitation or carries a verification code (the table's check allows nothing else). */
  private send(email: ClaimedEmail): Promise<'sent' | 'superseded'> {
    const { verificationCodeId, invitationId, invitationVersion } = email;
    if (verificationCodeId) return this.codeMailer.send({ verificationCodeId, messageId: email.messageId });
    return this.mailer.send({ ...email, invitationId: invitationId!, invitationVersion: invitationVersion! });
  }

  private async recordFailure(email: ClaimedEmail, error: unknown): Promise<void> {
    const reason = describeSendError(error, this.secrets);
    const delay = retryDelayMs(email.attempts, this.config.mailRetryBaseMs);
    const status = await this.outcomes.markAttemptFailed(email, reason, delay, this.config.mailMaxAttempts);
    // undefined: the row moved on (superseded by a resend) while this attempt ran.
    this.metrics.recordEmailDelivery(
      status === 'failed' ? 'failed' : status === 'queued' ? 'retrying' : 'superseded',
    );
    const fields = {
      message_id: email.messageId,
      ...subjectOf(email),
      attempt: email.attempts,
      error: reason,
    };
    if (status === 'failed') this.logger.error({ msg: 'email failed, giving up', ...fields });
    else this.logger.warn({ msg: `email attempt failed, retrying in ${delay} ms`, ...fields });
  }
}

/** What a log line says the email is about (never the code itself: only its row id). */
function subjectOf(email: ClaimedEmail): Record<string, string> {
  return email.verificationCodeId
    ? { verification_code_id: email.verificationCodeId }
    : { invitation_id: email.invitationId ?? '' };
}
