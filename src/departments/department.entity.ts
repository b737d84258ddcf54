import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { CreatedAtColumn, IdColumn, RefColumn, UpdatedAtColumn } from '../database/columns.js';

@Entity('departments')
// Case-insensitive name uniqueness is an expression index (lower(name)) written in the migration.
@Index('uq_departments_org_name', { synchronize: false })
@Index('ix_departments_org_created', ['organizationId', 'createdAt', 'id'])
export class Department {
  @IdColumn()
  id: string;

  @RefColumn()
  organizationId: string;

  // By entity name, not class: organizations/ builds on the folders it creates rows in.
  @ManyToOne('Organization', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'fk_departments_organization' })
  organization?: object;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  description: string | null;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
