import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { newId } from '../common/ids/ids.js';
import { appendedEventJson, EventJson } from '../events/event-json.js';
import { EventLog } from '../events/event-log.js';
import { JobQueue } from '../jobs/job-queue.js';

/** The job that makes one attempt of one delivery (webhook-attempts.ts). */
export const DELIVERY_TASK = 'webhook_delivery';

/**
 * Turns events into deliveries: a reaction of the event log, so the delivery rows and their jobs
 * commit with the change and its event, or not at all. Nothing is lost between the change and the
 * queue, and a rolled-back change sends nothing.
 */
@Injectable()
export class WebhookScheduler implements OnModuleInit {
  constructor(
    private readonly events: EventLog,
    private readonly jobs: JobQueue,
  ) {}

  onModuleInit(): void {
    this.events.subscribe(async (manager, event) => {
      if (event.organizationId) await this.toMatchingEndpoints(manager, event.organizationId, appendedEventJson(event));
    });
  }

  /** One delivery (and its job) per enabled endpoint of the organization whose event types match. */
  async toMatchingEndpoints(manager: EntityManager, organizationId: string, event: EventJson): Promise<void> {
    const prefix = `${event.type.slice(0, event.type.indexOf('.'))}.*`;
    const endpoints: { id: string }[] = await manager.query(
      `SELECT id FROM webhook_endpoints
       WHERE organization_id = $1 AND enabled AND ('*' = ANY(event_types) OR $2 = ANY(event_types) OR $3 = ANY(event_types))`,
      [organizationId, event.type, prefix],
    );
    for (const endpoint of endpoints) await this.toEndpoint(manager, organizationId, endpoint.id, event);
  }

  async toEndpoint(manager: EntityManager, organizationId: string, endpointId: string, event: EventJson): Promise<string> {
    const id = newId('whd');
    await manager.query(
      `INSERT INTO webhook_deliveries (id, organization_id, endpoint_id, event_id, event_type, payload, next_attempt_at)
       VALUES ($1, $2, $3, $4, $5, $6, now())`,
      [id, organizationId, endpointId, event.id, event.type, JSON.stringify(event)],
    );
    await this.enqueue(manager, id);
    return id;
  }

  /** The job of a delivery's next attempt; its key keeps one queued job per delivery. */
  enqueue(manager: EntityManager, deliveryId: string, runAt?: Date): Promise<void> {
    return this.jobs.add(manager, DELIVERY_TASK, { delivery_id: deliveryId }, { runAt, jobKey: deliveryId });
  }
}
