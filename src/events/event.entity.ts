import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, IdColumn, RefColumn } from '../database/columns.js';

/** One row of the event log (the audit log and the source of webhook deliveries). Append-only. */
@Entity('events')
@Index('ix_events_org_created', ['organizationId', 'createdAt', 'id'])
@Index('ix_events_subject', ['subjectId'])
export class EventRecord {
  @IdColumn()
  id: string;

  /** Null for events about a user's own things (their API keys), which belong to no organization. */
  @RefColumn({ nullable: true })
  organizationId: string | null;

  @Column({ type: 'varchar', length: 64 })
  type: string;

  @Column({ type: 'varchar', length: 16 })
  actorType: string;

  @RefColumn({ nullable: true })
  actorId: string | null;

  @RefColumn({ nullable: true })
  actorApiKeyId: string | null;

  @Column({ type: 'varchar', length: 32 })
  subjectType: string;

  @RefColumn()
  subjectId: string;

  @Column({ type: 'jsonb' })
  data: unknown;

  @CreatedAtColumn()
  createdAt: Date;
}
