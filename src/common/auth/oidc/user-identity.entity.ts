import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { CreatedAtColumn, IdColumn, RefColumn } from '../../../database/columns.js';

/**
 * A user's account at the deployment's identity provider: the OIDC token's (`iss`, `sub`). Linked at
 * first sight (by verified email, or to a new user); from then on the token acts as that user. The
 * unique index makes two concurrent first sights of one subject end on one link.
 */
@Entity('user_identities')
@Index('uq_user_identities_issuer_subject', ['issuer', 'subject'], { unique: true })
@Index('ix_user_identities_user', ['userId'])
export class UserIdentity {
  @IdColumn()
  id: string;

  @Column({ type: 'varchar', length: 500 })
  issuer: string;

  @Column({ type: 'varchar', length: 255 })
  subject: string;

  @RefColumn()
  userId: string;

  // By entity name, not class: common/ must not import a feature folder (users imports common).
  @ManyToOne('User', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_user_identities_user' })
  user?: unknown;

  @CreatedAtColumn()
  createdAt: Date;
}
