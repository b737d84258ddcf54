import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn } from '../database/columns.js';

/** The kept outcome of one write made under an Idempotency-Key, for 24 hours. */
@Entity('idempotency_records')
@Index('ix_idempotency_records_created', ['createdAt'])
export class IdempotencyRecord {
  /** Whose key it is: `key:<api key id>`, `sub:<token subject>`, or `token:<hash of an invitation token>`. */
  @PrimaryColumn({ type: 'varchar', length: 300 })
  scope: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  key: string;

  /** SHA-256 of method, path and body: the same key with another request is refused, not replayed. */
  @Column({ type: 'char', length: 64 })
  fingerprint: string;

  @Column({ type: 'smallint' })
  status: number;

  /** The JSON body exactly as it was sent, sealed (see IdempotencyRepository); null for a response without one (204). */
  @Column({ type: 'text', nullable: true })
  body: string | null;

  /** Headers that belong to the outcome (an error's Retry-After), replayed with it. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  headers: Record<string, string>;

  @CreatedAtColumn()
  createdAt: Date;
}
