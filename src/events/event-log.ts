import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { newId } from '../common/ids/ids.js';
import { PreparedStatement, preparedQuery } from '../database/pool-query.js';
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
 * A side effect of events (emails to queue, webhook deliveries to schedule), run inside the
 * transaction that appended the events, so the change, its events and their side effects commit
 * together or not at all. It receives every event of one append at once, so a bulk change (a
 * thousand invitations) keeps its side effects set-based too.
 */
export type EventReaction = (manager: EntityManager, events: readonly AppendedEvent[]) => Promise<void>;

/**
 * A reaction that reads what it needs in the very statement that inserts the events, so an append
 * costs one round trip when nothing else is to be written (no webhook endpoint matches, say).
 * `select` is a SELECT over `appended`, the inserted rows (`id`, `organization_id`, `type`); its
 * rows are handed to `react`, which runs in the transaction like every reaction.
 */
export interface ReadingReaction<Row> {
  select: string;
  react(manager: EntityManager, events: readonly AppendedEvent[], rows: readonly Row[]): Promise<void>;
}

/**
 * A reaction whose write goes into the very statement that inserts the events, for a side effect
 * the events alone decide (the email of a created invitation): `write` is a data-modifying
 * statement over `appended`, the inserted rows (`id`, `organization_id`, `type`, `subject_id`,
 * `data`). It saves the round trip a reaction of its own would take.
 */
export interface WritingReaction {
  write: string;
}

/**
 * The one writer of the `events` table. Services append the event of each change they make;
 * modules with side effects subscribe once at start-up. The event log knows none of them, so
 * every feature may depend on it and it depends on no feature.
 */
@Injectable()
export class EventLog {
  private readonly reactions: EventReaction[] = [];
  private readonly readingReactions: ReadingReaction<unknown>[] = [];
  private readonly writingReactions: WritingReaction[] = [];
  private statement?: PreparedStatement;

  subscribe(reaction: EventReaction): void {
    this.reactions.push(reaction);
  }

  subscribeReading<Row>(reaction: ReadingReaction<Row>): void {
    this.assertStartingUp();
    this.readingReactions.push(reaction as ReadingReaction<unknown>);
  }

  subscribeWriting(reaction: WritingReaction): void {
    this.assertStartingUp();
    this.writingReactions.push(reaction);
  }

  private assertStartingUp(): void {
    if (this.statement) throw new Error('statement reactions subscribe at start-up, before the first append');
  }

  /**
   * The append's one statement: the events INSERT, each writing reaction's write and each reading
   * reaction's SELECT over its RETURNING rows. Reactions subscribe at start-up, so it is built (and
   * named) once, at the first append.
   */
  private appendStatement(): PreparedStatement {
    if (this.statement) return this.statement;
    const reads = this.readingReactions
      .map(
        (reaction, index) =>
          `, (SELECT COALESCE(json_agg(r), '[]') FROM (${reaction.select}) r) AS read_${index}`,
      )
      .join('');
    const writes = this.writingReactions
      .map(
        (reaction, index) => `,
       write_${index} AS (${reaction.write})`,
      )
      .join('');
    this.statement = {
      name: `events_append_r${this.readingReactions.length}_w${this.writingReactions.length}`,
      text: `WITH appended AS (
         INSERT INTO events (id, organization_id, type, actor_type, actor_id, actor_api_key_id, subject_type, subject_id, data)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::jsonb[])
         RETURNING id, organization_id, type, subject_id, data, created_at)${writes}
       SELECT (SELECT created_at FROM appended LIMIT 1) AS created_at${reads}`,
    };
    return this.statement;
  }

  async append(manager: EntityManager, event: NewEvent): Promise<AppendedEvent> {
    const [appended] = await this.appendAll(manager, [event]);
    return appended;
  }

  /**
   * Appends many events in one statement (however many there are), with the writing reactions'
   * writes and the reading reactions' reads, then runs each reaction once.
   */
  async appendAll(manager: EntityManager, events: readonly NewEvent[]): Promise<AppendedEvent[]> {
    if (events.length === 0) return [];
    const ids = events.map(() => newId('evt'));
    const data = events.map((event) => eventData(event.data));
    const {
      rows: [row],
    } = await preparedQuery<{ created_at: Date; [read: string]: unknown }>(manager, this.appendStatement(), [
      ids,
      events.map((event) => event.organizationId),
      events.map((event) => event.type),
      events.map((event) => event.actor.type),
      events.map((event) => event.actor.id),
      events.map((event) => event.actor.apiKeyId),
      events.map((event) => subjectTypeOf(event.type)),
      events.map((event) => event.subjectId),
      data.map((value) => JSON.stringify(value)),
    ]);
    // One statement, one now(): every row has the same created_at.
    const appended = events.map((event, index) => ({
      ...event,
      data: data[index],
      id: ids[index],
      createdAt: row.created_at,
    }));
    for (const [index, reaction] of this.readingReactions.entries())
      await reaction.react(manager, appended, row[`read_${index}`] as unknown[]);
    for (const reaction of this.reactions) await reaction(manager, appended);
    return appended;
  }
}
