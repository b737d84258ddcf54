import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, IdColumn, TimestampColumn, UpdatedAtColumn } from '../database/columns.js';

/** A global account. Its membership in each organization is a `Membership`. */
@Entity('users')
export class User {
  @IdColumn()
  id: string;

  /** Trimmed and lowercased before it is stored, so the unique index is case-insensitive. */
  @Index('uq_users_email', { unique: true })
  @Column({ type: 'varchar', length: 254 })
  email: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  fullName: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  userName: string | null;

  /** Null while the account exists only because of an invitation and has never been active. */
  @TimestampColumn({ nullable: true })
  activatedAt: Date | null;

  /** When the email was proven: an emailed one-time code, an OIDC token's verified email, or the bootstrap CLI. */
  @TimestampColumn({ nullable: true })
  emailVerifiedAt: Date | null;

  /**
   * The invitation whose create made this account. Only that invitation may activate the account
   * without credentials. Not a foreign key: the invitation may be pruned, the fact stays.
   */
  @Column({ type: 'varchar', length: 40, nullable: true })
  createdByInvitationId: string | null;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
