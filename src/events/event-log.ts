import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { newId } from '../common/ids/ids.js';
import { Actor } from './actor.js';
import { eventData } from './event-data.js';
import { EventType, subjectTypeOf } from './event-types.js';

export interface NewEvent {
  type: EventType;
  organizationId: string | null;
  actor: Actor;
  subjectId: string;
  /** The resource after the change, as the API shows it; credential fields are dropped. */
  data: unknown;
}

/** An event as it was appended, handed to every reaction inside the same transaction. */
export interface AppendedEvent extends NewEvent {
  id: string;
  createdAt: Date;
}

/**
 * A side effect of events (an email to queue, webhook deliveries to schedule), run inside the
 * transaction that appended the event, so the change, its event and its side effects commit
 * together or not at all.
 */
export type EventReaction = (manager: EntityManager, event: AppendedEvent) => Promise<void>;

/**
 * The one writer of the `events` table. Services append the event of each change they make;
 * modules with side effects subscribe once at start-up. The event log knows none of them, so
 * every feature may depend on it and it depends on no feature.
 */
@Injectable()
export class EventLog {
  private readonly reactions: EventReaction[] = [];

  subscribe(reaction: EventReaction): void {
    this.reactions.push(reaction);
  }

  async append(manager: EntityManager, event: NewEvent): Promise<AppendedEvent> {
    const id = newId('evt');
    const data = eventData(event.data);
    const [row]: { created_at: Date }[] = await manager.query(
      `INSERT INTO events (id, organization_id, type, actor_type, actor_id, actor_api_key_id, subject_type, subject_id, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING created_at`,
      [
        id,
        event.organizationId,
        event.type,
        event.actor.type,
        event.actor.id,
        event.actor.apiKeyId,
        subjectTypeOf(event.type),
        event.subjectId,
        JSON.stringify(data),
      ],
    );
    const appended: AppendedEvent = { ...event, data, id, createdAt: row.created_at };
    for (const reaction of this.reactions) await reaction(manager, appended);
    return appended;
  }
}
