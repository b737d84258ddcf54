import { Column, Entity, Index, JoinColumn, ManyToOne, VirtualColumn } from 'typeorm';
import {
  CreatedAtColumn,
  IdColumn,
  RefColumn,
  TimestampColumn,
  UpdatedAtColumn,
} from '../database/columns.js';
import { Organization } from '../organizations/organization.entity.js';
import { Membership } from '../users/membership.entity.js';
import { User } from '../users/user.entity.js';
import { grantedDepartmentIdsSql, grantedRoleIdsSql, grantsOwnerSql } from './invitation-grants-sql.js';

/** Stored statuses; `expired` is also derived on read from `expires_at` for rows still `pending`. */
export const INVITATION_STATUSES = ['pending', 'accepted', 'declined', 'revoked', 'expired'] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

export const EMAIL_STATUSES = ['not_requested', 'queued', 'sent', 'failed'] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];

@Entity('invitations')
// At most one pending invitation per organization and email: concurrent invites get exactly one 201.
@Index('uq_invitations_pending_email', ['organizationId', 'email'], {
  unique: true,
  where: `"status" = 'pending'`,
})
@Index('ix_invitations_org_created', ['organizationId', 'createdAt', 'id'])
@Index('ix_invitations_org_email', ['organizationId', 'email'])
@Index('ix_invitations_user', ['userId'])
// Deleting a pending membership (revoke, decline) sets membership_id NULL here: find the rows by index.
@Index('ix_invitations_membership', ['membershipId'])
export class Invitation {
  @IdColumn()
  id: string;

  @RefColumn()
  organizationId: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'fk_invitations_organization' })
  organization?: Organization;

  @RefColumn()
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_invitations_user' })
  user?: User;

  /** The pending membership this invitation activates; gone once revoked or removed. */
  @RefColumn({ nullable: true })
  membershipId: string | null;

  @ManyToOne(() => Membership, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'membership_id', foreignKeyConstraintName: 'fk_invitations_membership' })
  membership?: Membership;

  @Column({ type: 'varchar', length: 254 })
  email: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  fullName: string | null;

  /**
   * The roles and departments as invited, and, once the invitation is settled, what it granted.
   * Read `grantedRoleIds`/`grantedDepartmentIds` instead: while pending, those follow the pending
   * membership (see invitation-grants-sql.ts).
   */
  @Column({ type: 'varchar', length: 40, array: true, default: () => "'{}'" })
  roleIds: string[];

  @Column({ type: 'varchar', length: 40, array: true, default: () => "'{}'" })
  departmentIds: string[];

  /** What the invitation grants (pending: its membership's live roles; settled: what it granted). */
  @VirtualColumn({ type: 'varchar', query: grantedRoleIdsSql })
  grantedRoleIds: string[];

  @VirtualColumn({ type: 'varchar', query: grantedDepartmentIdsSql })
  grantedDepartmentIds: string[];

  /** Whether `grantedRoleIds` holds the Owner role: then only an Owner may see the link. */
  @VirtualColumn({ type: 'boolean', query: grantsOwnerSql })
  grantsOwner: boolean;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: InvitationStatus;

  /** Bumped by every resend; the token is an HMAC over (id, version), so older links stop working. */
  @Column({ type: 'int', default: 1 })
  version: number;

  @Column({ type: 'text', nullable: true })
  customMessage: string | null;

  @RefColumn({ nullable: true })
  invitedBy: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'invited_by', foreignKeyConstraintName: 'fk_invitations_invited_by' })
  inviter?: User;

  @Column({ type: 'varchar', length: 16, default: 'not_requested' })
  emailStatus: EmailStatus;

  @Column({ type: 'text', nullable: true })
  emailLastError: string | null;

  @TimestampColumn()
  expiresAt: Date;

  /** When the link was last (re)issued; resend is throttled against it. */
  @TimestampColumn()
  issuedAt: Date;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;

  @TimestampColumn({ nullable: true })
  acceptedAt: Date | null;

  @TimestampColumn({ nullable: true })
  declinedAt: Date | null;

  @TimestampColumn({ nullable: true })
  revokedAt: Date | null;
}
