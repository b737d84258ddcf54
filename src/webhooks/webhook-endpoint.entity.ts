import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import {
  CreatedAtColumn,
  IdColumn,
  RefColumn,
  TimestampColumn,
  UpdatedAtColumn,
} from '../database/columns.js';
import { Organization } from '../organizations/organization.entity.js';

/** Where an organization wants its events POSTed. The signing secrets are stored sealed (common/crypto/sealed-box.ts, bound to the endpoint). */
@Entity('webhook_endpoints')
@Index('ix_webhook_endpoints_org_created', ['organizationId', 'createdAt', 'id'])
export class WebhookEndpoint {
  @IdColumn()
  id: string;

  @RefColumn()
  organizationId: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'fk_webhook_endpoints_organization' })
  organization?: Organization;

  @Column({ type: 'varchar', length: 2048 })
  url: string;

  /** Exact types, `prefix.*`, or `*` for every type. */
  @Column({ type: 'text', array: true })
  eventTypes: string[];

  @Column({ type: 'varchar', length: 500, nullable: true })
  description: string | null;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ type: 'text' })
  secretSealed: string;

  /** The secret before the last rotation: it keeps signing until `previousSecretExpiresAt`. */
  @Column({ type: 'text', nullable: true })
  previousSecretSealed: string | null;

  @TimestampColumn({ nullable: true })
  previousSecretExpiresAt: Date | null;

  /** The start of the current run of failed attempts; null after any success. */
  @TimestampColumn({ nullable: true })
  failingSince: Date | null;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
