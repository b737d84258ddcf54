import { Check, Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { CreatedAtColumn, IdColumn, RefColumn, UpdatedAtColumn } from '../database/columns.js';

export const INVITE_POLICIES = ['any', 'verified_domains_only'] as const;
export type InvitePolicy = (typeof INVITE_POLICIES)[number];

@Entity('organizations')
// Mirrors SLUG_PATTERN, so no writer can store a slug that looks like an `org_` ID (migration OrganizationSlugCheck).
@Check('ck_organizations_slug', `"slug" ~ '^[a-z0-9]([a-z0-9-]*[a-z0-9])?$'`)
// Deleting a role checks whether auto-join grants it: by index, not a scan of every organization.
@Index('ix_organizations_auto_join_role', ['autoJoinRoleId'])
@Check('ck_organizations_invite_policy', `"invite_policy" IN ('any', 'verified_domains_only')`)
export class Organization {
  @IdColumn()
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Index('uq_organizations_slug', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  slug: string;

  /** `verified_domains_only`: invitations only to emails of the organization's verified domains. */
  @Column({ type: 'varchar', length: 32, default: 'any' })
  invitePolicy: InvitePolicy;

  /** Users whose verified email is on a verified domain may join by themselves, with `autoJoinRoleId`. */
  @Column({ type: 'boolean', default: false })
  autoJoinEnabled: boolean;

  /** Never the Owner role (checked on update). A role auto-join grants cannot be deleted (ROLE_IN_USE). */
  @RefColumn({ nullable: true })
  autoJoinRoleId: string | null;

  // NO ACTION rather than RESTRICT: checked at the end of the statement, so deleting the organization (which
  // cascades to its roles) still works.
  @ManyToOne('Role', { onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'auto_join_role_id', foreignKeyConstraintName: 'fk_organizations_auto_join_role' })
  autoJoinRole?: object;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
