import { Check, Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import {
  CreatedAtColumn,
  IdColumn,
  RefColumn,
  TimestampColumn,
  UpdatedAtColumn,
} from '../database/columns.js';
import { Organization } from '../organizations/organization.entity.js';

export const DOMAIN_STATUSES = ['pending', 'verified'] as const;
export type DomainStatus = (typeof DOMAIN_STATUSES)[number];

/**
 * An email domain an organization claims, verified by a DNS TXT record. Any number of organizations
 * may claim a domain; the partial unique index lets only one of them hold it verified (DOMAIN_TAKEN).
 */
@Entity('organization_domains')
@Check('ck_organization_domains_status', `"status" IN ('pending', 'verified')`)
@Index('uq_organization_domains_org_domain', ['organizationId', 'domain'], { unique: true })
@Index('uq_organization_domains_verified', ['domain'], { unique: true, where: `"status" = 'verified'` })
@Index('ix_organization_domains_org_created', ['organizationId', 'createdAt', 'id'])
export class OrganizationDomain {
  @IdColumn()
  id: string;

  @RefColumn()
  organizationId: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'fk_organization_domains_organization' })
  organization?: Organization;

  /** Lowercase IDNA ASCII form (`xn--…` for internationalised names), as emails store their domain. */
  @Column({ type: 'varchar', length: 253 })
  domain: string;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: DomainStatus;

  /** What the TXT record must hold; random, so one organization cannot reuse another's proof. */
  @Column({ type: 'varchar', length: 100 })
  verificationValue: string;

  @TimestampColumn({ nullable: true })
  verifiedAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
