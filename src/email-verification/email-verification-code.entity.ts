import { Column, Entity, Index, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../database/columns.js';
import { User } from '../users/user.entity.js';

/**
 * The one live email-verification code of a user (API.md "Email proof"): one row per user, replaced
 * by each new code, so "at most one new code a minute" is a single conditional upsert. The code is
 * never stored: only its keyed hash, and `id`, from which the mail worker derives the code again
 * (src/email-verification/email-codes.ts), as invitation links are derived from theirs.
 */
@Entity('email_verification_codes')
@Index('uq_email_verification_codes_id', ['id'], { unique: true })
export class EmailVerificationCode {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  userId: string;

  @OneToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_email_verification_codes_user' })
  user?: User;

  /** A new id (`evc_…`) for every code issued; the code is derived from it. */
  @Column({ type: 'varchar', length: 40 })
  id: string;

  /** The address the code was sent to (the user's email when it was issued). */
  @Column({ type: 'varchar', length: 254 })
  email: string;

  /** HMAC-SHA256 of the user id and the code under a server key (hex); a 6-digit code needs a keyed hash. */
  @Column({ type: 'char', length: 64 })
  codeHash: string;

  /** Tries so far, counted by the same UPDATE that checks a try; at 5 the code is dead. */
  @Column({ type: 'int', default: 0 })
  attempts: number;

  @TimestampColumn({ default: () => 'now()' })
  issuedAt: Date;

  @TimestampColumn()
  expiresAt: Date;

  @TimestampColumn({ nullable: true })
  consumedAt: Date | null;
}
