import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { CreatedAtColumn, IdColumn, RefColumn, UpdatedAtColumn } from '../database/columns.js';
import { Organization } from '../organizations/organization.entity.js';

@Entity('roles')
// Case-insensitive name uniqueness is an expression index (lower(name)) written in the migration.
@Index('uq_roles_org_name', { synchronize: false })
@Index('ix_roles_org_created', ['organizationId', 'createdAt', 'id'])
export class Role {
  @IdColumn()
  id: string;

  @RefColumn()
  organizationId: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'fk_roles_organization' })
  organization?: Organization;

  /** A system role's key (src/common/auth/system-roles.ts) or, for a custom role, a slug of its name. */
  @Column({ type: 'varchar', length: 100 })
  key: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  description: string | null;

  @Column({ type: 'boolean', default: false })
  isSystem: boolean;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
