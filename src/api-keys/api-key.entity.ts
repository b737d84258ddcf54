import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { CreatedAtColumn, IdColumn, RefColumn, TimestampColumn } from '../database/columns.js';
import { User } from '../users/user.entity.js';

/** An API key acts as its user. Only the SHA-256 of the secret is stored. */
@Entity('api_keys')
@Index('ix_api_keys_user_created', ['userId', 'createdAt', 'id'])
export class ApiKey {
  @IdColumn()
  id: string;

  @RefColumn()
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_api_keys_user' })
  user?: User;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** The first characters of the key, shown in listings so a person can tell keys apart. */
  @Column({ type: 'varchar', length: 16 })
  prefix: string;

  @Index('uq_api_keys_hash', { unique: true })
  @Column({ type: 'char', length: 64 })
  keyHash: string;

  @CreatedAtColumn()
  createdAt: Date;

  @TimestampColumn({ nullable: true })
  lastUsedAt: Date | null;

  @TimestampColumn({ nullable: true })
  revokedAt: Date | null;
}
