import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Role } from '../roles/role.entity.js';
import { Membership } from './membership.entity.js';

/**
 * A role held by a membership (pending memberships hold their invitation's roles). The role FK
 * restricts deletion, so "delete a role still in use" is refused by the database (ROLE_IN_USE).
 */
@Entity('membership_roles')
@Index('ix_membership_roles_role', ['roleId'])
export class MembershipRole {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  membershipId: string;

  @PrimaryColumn({ type: 'varchar', length: 40 })
  roleId: string;

  @ManyToOne(() => Membership, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'membership_id', foreignKeyConstraintName: 'fk_membership_roles_membership' })
  membership?: Membership;

  @ManyToOne(() => Role, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'role_id', foreignKeyConstraintName: 'fk_membership_roles_role' })
  role?: Role;
}
