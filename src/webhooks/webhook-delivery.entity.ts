import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { CreatedAtColumn, IdColumn, RefColumn, TimestampColumn } from '../database/columns.js';
import { WebhookEndpoint } from './webhook-endpoint.entity.js';

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One event for one endpoint, and how its attempts went. The payload is frozen at scheduling, so
 * every attempt sends the same bytes whatever happens to the event log (retention, `webhook.test`).
 */
@Entity('webhook_deliveries')
@Index('ix_webhook_deliveries_endpoint_created', ['endpointId', 'createdAt', 'id'])
export class WebhookDelivery {
  @IdColumn()
  id: string;

  @RefColumn()
  organizationId: string;

  @RefColumn()
  endpointId: string;

  @ManyToOne(() => WebhookEndpoint, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'endpoint_id', foreignKeyConstraintName: 'fk_webhook_deliveries_endpoint' })
  endpoint?: WebhookEndpoint;

  @RefColumn()
  eventId: string;

  @Column({ type: 'varchar', length: 64 })
  eventType: string;

  @Column({ type: 'jsonb' })
  payload: unknown;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: DeliveryStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @TimestampColumn({ nullable: true })
  lastAttemptAt: Date | null;

  @TimestampColumn({ nullable: true })
  nextAttemptAt: Date | null;

  /** While an attempt runs: no other attempt of this delivery starts before this time. */
  @TimestampColumn({ nullable: true })
  lockedUntil: Date | null;

  @Column({ type: 'int', nullable: true })
  responseStatus: number | null;

  /** At most 4 KB of the receiver's answer. */
  @Column({ type: 'text', nullable: true })
  responseBody: string | null;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  @Column({ type: 'int', nullable: true })
  durationMs: number | null;

  @CreatedAtColumn()
  createdAt: Date;
}
