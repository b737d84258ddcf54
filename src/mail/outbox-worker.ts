import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { InvitationMailer } from './invitation-mailer.js';
import { SEND_TIMEOUT_MS } from './mailer-options.js';
import { smtpSecrets } from './mail-transport.js';
import { ClaimedEmail, OutboxRepository } from './outbox.repository.js';
import { VerificationCodeMailer } from './verification-code-mailer.js';
import { retryDelayMs } from './retry-backoff.js';
import { describeSendError } from './send-error.js';

/** Rows claimed per round; they are sent concurrently. */
const BATCH_SIZE = 10;
/** Well beyond the send timeout, so no other worker claims a row while its send may still succeed. */
const LEASE_MS = 2 * SEND_TIMEOUT_MS + 60_000;

/**
 * Sends the outbox: claims due rows, sends each one, and records the outcome on the row and the
 * invitation. With MAIL_WORKER_ENABLED it polls every MAIL_POLL_INTERVAL_MS; `drain()` runs the same
 * work on demand. One pass runs at a time per instance; instances share the table through the claim.
 */
@Injectable()
export class OutboxWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('OutboxWorker');
  private readonly secrets: string[];
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  /** The pass in progress (or the last one); passes queue behind it. */
  private pass: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly outbox: OutboxRepository,
    private readonly mailer: InvitationMailer,
    private readonly metrics: MetricsService,
    private readonly codeMailer: VerificationCodeMailer,
  ) {
    this.secrets = smtpSecrets(config);
  }

  onApplicationBootstrap(): void {
    if (this.config.mailWorkerEnabled) this.schedule(0);
  }

  /** On shutdown: no new claims; the sends already started finish and are recorded. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.pass;
  }

  /**
   * Sends everything due now (after any pass already running), and resolves with the number of
   * rows this call handled. Retries scheduled for later are left for later.
   */
  drain(): Promise<number> {
    const run = this.pass.then(() => this.sendUntilIdle());
    this.pass = run.catch(() => undefined);
    return run;
  }

  private schedule(delayMs: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => void this.poll(), delayMs);
    // The poller alone must not keep a process (a CLI command, a test) alive.
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    try {
      await this.drain();
    } catch (error) {
      // The database is unreachable or similar: try again next round.
      this.logger.warn(`outbox poll failed: ${describeSendError(error, this.secrets)}`);
    }
    this.schedule(this.config.mailPollIntervalMs);
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
    await this.outbox.markSent(email);
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
    const status = await this.outbox.markAttemptFailed(email, reason, delay, this.config.mailMaxAttempts);
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
