import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { SYSTEM_ACTOR } from '../events/actor.js';
import { EventLog } from '../events/event-log.js';
import { JobRunner } from '../jobs/job-runner.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { WebhookEndpointResponseDto } from './dto/webhook-endpoint-response.dto.js';
import { WebhookEndpoint } from './webhook-endpoint.entity.js';
import { HostResolver, postWebhook, systemResolver, WebhookOutcome } from './webhook-http.js';
import { DELIVERY_TASK, WebhookScheduler } from './webhook-scheduler.js';
import { WebhookSecrets } from './webhook-secrets.js';
import { signedHeaders } from './webhook-signing.js';

interface ClaimedDelivery {
  id: string;
  endpoint_id: string;
  event_id: string;
  payload: unknown;
  attempts: number;
  last_attempt_at: Date;
  url: string;
  enabled: boolean;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_valid: boolean | null;
}

/**
 * One attempt of one delivery, run by the job queue. The claim is a conditional UPDATE with a lease,
 * so one attempt at a time runs per delivery whatever the number of instances or queued jobs; a
 * crash mid-attempt leaves the lease to expire and the job to run again (delayed, never lost). The
 * outcome, the next attempt's job and an endpoint's disabling commit together.
 */
@Injectable()
export class WebhookAttempts {
  private readonly logger = new Logger('WebhookAttempts');
  /** How webhook hosts are resolved; tests point a name at any address. */
  resolve: HostResolver = systemResolver;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly scheduler: WebhookScheduler,
    private readonly secrets: WebhookSecrets,
    private readonly events: EventLog,
    private readonly metrics: MetricsService,
    runner: JobRunner,
  ) {
    runner.define(DELIVERY_TASK, async (payload) =>
      this.attempt((payload as { delivery_id: string }).delivery_id),
    );
  }

  async attempt(deliveryId: string): Promise<void> {
    const leaseMs = 2 * this.config.webhookTimeoutMs + 30_000;
    // TypeORM answers an UPDATE with [rows, count].
    const [[claimed]]: [ClaimedDelivery[], number] = await this.dataSource.query(
      `UPDATE webhook_deliveries d
       SET attempts = d.attempts + 1, last_attempt_at = now(), locked_until = now() + $2 * interval '1 millisecond'
       FROM webhook_endpoints e
       WHERE d.id = $1 AND e.id = d.endpoint_id AND d.status = 'pending' AND (d.locked_until IS NULL OR d.locked_until < now())
       RETURNING d.id, d.endpoint_id, d.event_id, d.payload, d.attempts, d.last_attempt_at, e.url, e.enabled,
                 e.secret_sealed, e.previous_secret_sealed, e.previous_secret_expires_at > now() AS previous_valid`,
      [deliveryId, leaseMs],
    );
    if (!claimed) return; // done already, deleted with its endpoint, or another instance's attempt is running
    const outcome = claimed.enabled ? await this.send(claimed) : disabledOutcome();
    await this.dataSource.transaction((manager) => this.record(manager, claimed, outcome));
  }

  private send(claimed: ClaimedDelivery): Promise<WebhookOutcome> {
    const secrets = [this.secrets.open(claimed.secret_sealed, claimed.endpoint_id)];
    if (claimed.previous_secret_sealed && claimed.previous_valid) {
      secrets.push(this.secrets.open(claimed.previous_secret_sealed, claimed.endpoint_id));
    }
    const body = JSON.stringify(claimed.payload);
    return postWebhook({
      url: claimed.url,
      body,
      headers: {
        ...signedHeaders(secrets, claimed.event_id, body),
        'user-agent': 'org-invitations-webhooks/1',
      },
      timeoutMs: this.config.webhookTimeoutMs,
      allowPrivateNetworks: this.config.webhookAllowPrivateNetworks,
      resolve: this.resolve,
    });
  }

  private async record(
    manager: EntityManager,
    claimed: ClaimedDelivery,
    outcome: WebhookOutcome,
  ): Promise<void> {
    const delaySeconds =
      outcome.ok || !claimed.enabled ? undefined : this.config.webhookRetrySchedule[claimed.attempts - 1];
    const nextAt = delaySeconds === undefined ? null : new Date(Date.now() + jittered(delaySeconds) * 1000);
    const status = outcome.ok ? 'succeeded' : nextAt ? 'pending' : 'failed';
    this.metrics.webhookDeliveries.inc({ outcome: status === 'pending' ? 'retrying' : status });
    await manager.query(
      `UPDATE webhook_deliveries SET status = $2, response_status = $3, response_body = $4, last_error = $5,
         duration_ms = $6, next_attempt_at = $7, locked_until = NULL WHERE id = $1`,
      [claimed.id, status, outcome.status, outcome.body, outcome.error, outcome.durationMs, nextAt],
    );
    if (nextAt) await this.scheduler.enqueue(manager, claimed.id, nextAt);
    if (outcome.ok) {
      await manager.query(
        `UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL`,
        [claimed.endpoint_id],
      );
    } else if (claimed.enabled) {
      await this.noteFailure(manager, claimed.endpoint_id, claimed.last_attempt_at);
    }
    if (!outcome.ok)
      this.logger.debug(`delivery ${claimed.id} attempt ${claimed.attempts} failed: ${outcome.error}`);
  }

  /** Starts or extends the endpoint's failure run; past WEBHOOK_DISABLE_AFTER_HOURS, disables it (once). */
  private async noteFailure(manager: EntityManager, endpointId: string, attemptAt: Date): Promise<void> {
    const [row]: { enabled: boolean; failing_since: Date | null }[] = await manager.query(
      `SELECT enabled, failing_since FROM webhook_endpoints WHERE id = $1 FOR UPDATE`,
      [endpointId],
    );
    if (!row?.enabled) return;
    const failingSince = row.failing_since ?? attemptAt;
    const disable = Date.now() - failingSince.getTime() >= this.config.webhookDisableAfterHours * 3_600_000;
    await manager.query(
      `UPDATE webhook_endpoints SET failing_since = $2, enabled = $3, updated_at = CASE WHEN $3 THEN updated_at ELSE now() END WHERE id = $1`,
      [endpointId, failingSince, !disable],
    );
    if (!disable) return;
    const endpoint = await manager.findOneByOrFail(WebhookEndpoint, { id: endpointId });
    await this.events.append(manager, {
      type: 'webhook_endpoint.disabled',
      organizationId: endpoint.organizationId,
      actor: SYSTEM_ACTOR,
      subjectId: endpoint.id,
      data: { ...WebhookEndpointResponseDto.from(endpoint), failing_since: failingSince.toISOString() },
    });
  }
}

function disabledOutcome(): WebhookOutcome {
  return { ok: false, status: null, body: null, error: 'endpoint is disabled', durationMs: 0 };
}

/** ±10 % around the scheduled delay, so retries of many deliveries that failed together spread out. */
function jittered(seconds: number): number {
  return seconds * (0.9 + Math.random() * 0.2);
}
