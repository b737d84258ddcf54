import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { newId } from '../common/ids/ids.js';
import { appendedEventJson, EventJson } from '../events/event-json.js';
import { AppendedEvent, EventLog } from '../events/event-log.js';
import { JobQueue } from '../jobs/job-queue.js';

/** The job that makes one attempt of one delivery (webhook-attempts.ts). */
export const DELIVERY_TASK = 'webhook_delivery';

interface Delivery {
  endpointId: string;
  event: EventJson;
}

/**
 * Turns events into deliveries: a reaction of the event log, so the delivery rows and their jobs
 * commit with the change and its events, or not at all. Nothing is lost between the change and the
 * queue, and a rolled-back change sends nothing. Set-based: one append of a thousand events costs one
 * SELECT of matching endpoints per organization, one INSERT of deliveries and one add_jobs.
 */
@Injectable()
export class WebhookScheduler implements OnModuleInit {
  constructor(
    private readonly events: EventLog,
    private readonly jobs: JobQueue,
  ) {}

  onModuleInit(): void {
    this.events.subscribe((manager, events) => this.toMatchingEndpoints(manager, events));
  }

  /** One delivery (and its job) per enabled endpoint of each event's organization whose event types match. */
  async toMatchingEndpoints(manager: EntityManager, events: readonly AppendedEvent[]): Promise<void> {
    const byOrganization = new Map<string, AppendedEvent[]>();
    for (const event of events) {
      if (!event.organizationId) continue;
      const list = byOrganization.get(event.organizationId) ?? [];
      list.push(event);
      byOrganization.set(event.organizationId, list);
    }
    for (const [organizationId, orgEvents] of byOrganization) {
      const types = [...new Set(orgEvents.map((event) => event.type))];
      const matches: { endpoint_id: string; type: string }[] = await manager.query(
        `SELECT e.id AS endpoint_id, t.type
         FROM webhook_endpoints e CROSS JOIN unnest($2::text[]) AS t(type)
         WHERE e.organization_id = $1 AND e.enabled
           AND ('*' = ANY(e.event_types) OR t.type = ANY(e.event_types)
                OR split_part(t.type, '.', 1) || '.*' = ANY(e.event_types))`,
        [organizationId, types],
      );
      if (matches.length === 0) continue;
      const endpointsOf = new Map<string, string[]>();
      for (const match of matches)
        endpointsOf.set(match.type, [...(endpointsOf.get(match.type) ?? []), match.endpoint_id]);
      const deliveries: Delivery[] = [];
      for (const event of orgEvents) {
        const json = appendedEventJson(event);
        for (const endpointId of endpointsOf.get(event.type) ?? [])
          deliveries.push({ endpointId, event: json });
      }
      await this.insert(manager, organizationId, deliveries);
    }
  }

  /** The delivery of one event to one endpoint (the test message); returns its id. */
  async toEndpoint(
    manager: EntityManager,
    organizationId: string,
    endpointId: string,
    event: EventJson,
  ): Promise<string> {
    const [id] = await this.insert(manager, organizationId, [{ endpointId, event }]);
    return id;
  }

  /** The job of a delivery's next attempt; its key keeps one queued job per delivery. */
  enqueue(manager: EntityManager, deliveryId: string, runAt?: Date): Promise<void> {
    return this.jobs.add(manager, DELIVERY_TASK, { delivery_id: deliveryId }, { runAt, jobKey: deliveryId });
  }

  private async insert(
    manager: EntityManager,
    organizationId: string,
    deliveries: readonly Delivery[],
  ): Promise<string[]> {
    const ids = deliveries.map(() => newId('whd'));
    await manager.query(
      `INSERT INTO webhook_deliveries (id, organization_id, endpoint_id, event_id, event_type, payload, next_attempt_at)
       SELECT d.id, $1, d.endpoint_id, d.event_id, d.event_type, d.payload, now()
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[])
         AS d(id, endpoint_id, event_id, event_type, payload)`,
      [
        organizationId,
        ids,
        deliveries.map((d) => d.endpointId),
        deliveries.map((d) => d.event.id),
        deliveries.map((d) => d.event.type),
        deliveries.map((d) => JSON.stringify(d.event)),
      ],
    );
    await this.jobs.addAll(
      manager,
      DELIVERY_TASK,
      ids.map((id) => ({ payload: { delivery_id: id }, jobKey: id })),
    );
    return ids;
  }
}
