import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import {
  CreatedAtColumn,
  IdColumn,
  RefColumn,
  TimestampColumn,
  UpdatedAtColumn,
} from '../database/columns.js';
import { User } from './user.entity.js';

export const ACCOUNT_STATES = ['pending_invitation', 'active', 'deactivated'] as const;
export type AccountState = (typeof ACCOUNT_STATES)[number];

/** A user's place in one organization: its state there, and (through join tables) its roles and departments. */
@Entity('memberships')
@Index('uq_memberships_org_user', ['organizationId', 'userId'], { unique: true })
@Index('ix_memberships_org_created', ['organizationId', 'createdAt', 'id'])
@Index('ix_memberships_user', ['userId'])
export class Membership {
  @IdColumn()
  id: string;

  @RefColumn()
  organizationId: string;

  // By entity name, not class: organizations/ builds on users/ (it creates the Owner's membership).
  @ManyToOne('Organization', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'fk_memberships_organization' })
  organization?: object;

  @RefColumn()
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_memberships_user' })
  user?: User;

  @Column({ type: 'varchar', length: 20 })
  accountState: AccountState;

  @TimestampColumn({ nullable: true })
  invitedAt: Date | null;

  @TimestampColumn({ nullable: true })
  deactivatedAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
