import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Department } from '../departments/department.entity.js';
import { Membership } from './membership.entity.js';

/** A department a membership belongs to; deleting the department removes the assignment. */
@Entity('membership_departments')
@Index('ix_membership_departments_department', ['departmentId'])
export class MembershipDepartment {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  membershipId: string;

  @PrimaryColumn({ type: 'varchar', length: 40 })
  departmentId: string;

  @ManyToOne(() => Membership, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'membership_id', foreignKeyConstraintName: 'fk_membership_departments_membership' })
  membership?: Membership;

  @ManyToOne(() => Department, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'department_id', foreignKeyConstraintName: 'fk_membership_departments_department' })
  department?: Department;
}
