import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { SYSTEM_ACTOR } from '../events/actor.js';
import { EventLog } from '../events/event-log.js';
import { EventRetention } from '../events/event-retention.js';
import { IdempotencyRepository } from '../idempotency/idempotency.repository.js';
import { InvitationResponseDto } from '../invitations/dto/invitation-response.dto.js';
import { InvitationTokens } from '../invitations/invitation-token.js';
import { InvitationRepository } from '../invitations/invitation.repository.js';
import { WebhookDeliveriesService } from '../webhooks/webhook-deliveries.service.js';
import { JobRunner } from '../jobs/job-runner.js';

export const SWEEP_TASK = 'sweep';
/** Invitations settled per transaction: one UPDATE … RETURNING and one event append each. */
const EXPIRY_BATCH = 500;
/** Idempotency-Key records are kept a day (API.md "Idempotency-Key"). */
const IDEMPOTENCY_HOURS = 24;

export interface SweepResult {
  expired: number;
  idempotencyRecords: number;
  events: number;
}

/**
 * The periodic sweeper, a job of the queue's crontab (each minute's tick runs on one instance):
 * settles pending invitations past their expiry (`invitation.expired`, each exactly once, in the
 * transaction that stores the status), then prunes Idempotency-Key records older than a day, and
 * events and finished webhook deliveries older than EVENT_RETENTION_DAYS.
 */
@Injectable()
export class Sweeper {
  private readonly logger = new Logger('Sweeper');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly invitations: InvitationRepository,
    private readonly tokens: InvitationTokens,
    private readonly events: EventLog,
    private readonly idempotency: IdempotencyRepository,
    private readonly retention: EventRetention,
    private readonly deliveries: WebhookDeliveriesService,
    runner: JobRunner,
  ) {
    runner.define(SWEEP_TASK, () => this.run().then(() => undefined));
    runner.every('* * * * *', SWEEP_TASK, `jobKey=${SWEEP_TASK}`);
  }

  async run(): Promise<SweepResult> {
    const expired = await this.expireInvitations();
    const idempotencyRecords = await this.idempotency.prune(IDEMPOTENCY_HOURS);
    await this.deliveries.pruneFinished(this.config.eventRetentionDays);
    const events = await this.retention.prune();
    if (expired + idempotencyRecords + events > 0) {
      this.logger.log({ msg: 'sweep', expired, idempotency_records: idempotencyRecords, events });
    }
    return { expired, idempotencyRecords, events };
  }

  /** Batch after batch until none is left; concurrent sweepers split the rows (SKIP LOCKED). */
  private async expireInvitations(): Promise<number> {
    let total = 0;
    for (;;) {
      const count = await this.dataSource.transaction(async (manager) => {
        const settled = await this.invitations.expireDue(manager, EXPIRY_BATCH);
        await this.events.appendAll(
          manager,
          settled.map((invitation) => ({
            type: 'invitation.expired' as const,
            organizationId: invitation.organizationId,
            actor: SYSTEM_ACTOR,
            subjectId: invitation.id,
            // Nobody views it: rank 0 shows no link (an expired invitation has none anyway).
            data: InvitationResponseDto.from(invitation, this.tokens, 0),
          })),
        );
        return settled.length;
      });
      total += count;
      if (count < EXPIRY_BATCH) return total;
    }
  }
}
