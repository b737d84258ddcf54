import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { newId } from '../common/ids/ids.js';
import { appendedEventJson, EventJson } from '../events/event-json.js';
import { AppendedEvent, EventLog } from '../events/event-log.js';
import { JobQueue } from '../jobs/job-queue.js';

/** The job that makes one attempt of one delivery (webhook-attempts.ts). */
export const DELIVERY_TASK = 'webhook_delivery';

/**
 * The enabled endpoints of each appended event's organization whose event types match it, read in
 * the statement that inserts the events (EventLog's reading reaction): an event no endpoint wants
 * costs no round trip of its own.
 */
const MATCHING_ENDPOINTS = `SELECT a.id AS event_id, e.id AS endpoint_id
  FROM appended a JOIN webhook_endpoints e ON e.organization_id = a.organization_id
 WHERE e.enabled
   AND ('*' = ANY(e.event_types) OR a.type = ANY(e.event_types)
        OR split_part(a.type, '.', 1) || '.*' = ANY(e.event_types))`;

interface EndpointMatch {
  event_id: string;
  endpoint_id: string;
}

interface Delivery {
  endpointId: string;
  event: EventJson;
}

/**
 * Turns events into deliveries: a reaction of the event log, so the delivery rows and their jobs
 * commit with the change and its events, or not at all. Nothing is lost between the change and the
 * queue, and a rolled-back change sends nothing. Set-based: the matching endpoints of a thousand
 * events are read with their insert, then cost one INSERT of deliveries and one add_jobs per
 * organization, and nothing when no endpoint matches.
 */
@Injectable()
export class WebhookScheduler implements OnModuleInit {
  constructor(
    private readonly events: EventLog,
    private readonly jobs: JobQueue,
  ) {}

  onModuleInit(): void {
    this.events.subscribeReading<EndpointMatch>({
      select: MATCHING_ENDPOINTS,
      react: (manager, events, matches) => this.toMatchingEndpoints(manager, events, matches),
    });
  }

  /** One delivery (and its job) per enabled endpoint of each event's organization whose event types match. */
  private async toMatchingEndpoints(
    manager: EntityManager,
    events: readonly AppendedEvent[],
    matches: readonly EndpointMatch[],
  ): Promise<void> {
    if (matches.length === 0) return;
    const endpointsOf = new Map<string, string[]>();
    for (const match of matches)
      endpointsOf.set(match.event_id, [...(endpointsOf.get(match.event_id) ?? []), match.endpoint_id]);
    const byOrganization = new Map<string, Delivery[]>();
    for (const event of events) {
      const endpoints = endpointsOf.get(event.id);
      if (!endpoints || !event.organizationId) continue;
      const json = appendedEventJson(event);
      const list = byOrganization.get(event.organizationId) ?? [];
      for (const endpointId of endpoints) list.push({ endpointId, event: json });
      byOrganization.set(event.organizationId, list);
    }
    for (const [organizationId, deliveries] of byOrganization)
      await this.insert(manager, organizationId, deliveries);
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
