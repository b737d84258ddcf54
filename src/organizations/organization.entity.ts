import { Check, Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, IdColumn, UpdatedAtColumn } from '../database/columns.js';

@Entity('organizations')
// Mirrors SLUG_PATTERN, so no writer can store a slug that looks like an `org_` ID (migration OrganizationSlugCheck).
@Check('ck_organizations_slug', `"slug" ~ '^[a-z0-9]([a-z0-9-]*[a-z0-9])?$'`)
export class Organization {
  @IdColumn()
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Index('uq_organizations_slug', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  slug: string;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
