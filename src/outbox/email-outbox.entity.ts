import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn, RefColumn, TimestampColumn } from '../database/columns.js';

export const OUTBOX_STATUSES = ['queued', 'sent', 'failed', 'superseded'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/**
 * One email to send, written in the same transaction as what it is about (the outbox pattern):
 * an invitation (at one version), or an email-verification code (for one user). Workers claim due
 * rows with FOR UPDATE SKIP LOCKED and a lease (`locked_until`).
 */
@Entity('email_outbox')
@Index('uq_email_outbox_invitation_version', ['invitationId', 'invitationVersion'], { unique: true })
@Index('uq_email_outbox_verification_code', ['verificationCodeId'], { unique: true })
@Index('ix_email_outbox_user', ['userId'])
@Index('ix_email_outbox_due', ['nextAttemptAt'], { where: `"status" = 'queued'` })
@Check(
  'ck_email_outbox_subject',
  `("invitation_id" IS NOT NULL AND "invitation_version" IS NOT NULL AND "verification_code_id" IS NULL) OR ("invitation_id" IS NULL AND "verification_code_id" IS NOT NULL AND "user_id" IS NOT NULL)`,
)
export class EmailOutbox {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @RefColumn({ nullable: true })
  invitationId: string | null;

  // By entity name, not class: outbox/ sits below the features whose rows its emails are about.
  @ManyToOne('Invitation', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'invitation_id', foreignKeyConstraintName: 'fk_email_outbox_invitation' })
  invitation?: unknown;

  @Column({ type: 'int', nullable: true })
  invitationVersion: number | null;

  /** The recipient of a verification code email. */
  @RefColumn({ nullable: true })
  userId: string | null;

  @ManyToOne('User', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_email_outbox_user' })
  user?: unknown;

  /** The code (`email_verification_codes.id`) this email carries; no FK: a newer code replaces the row's id. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  verificationCodeId: string | null;

  @Column({ type: 'varchar', length: 16, default: 'queued' })
  status: OutboxStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @TimestampColumn({ default: () => 'now()' })
  nextAttemptAt: Date;

  @TimestampColumn({ nullable: true })
  lockedUntil: Date | null;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  /** Stable per invitation version (or code), so a retried send is recognisable as the same message. */
  @Column({ type: 'varchar', length: 255 })
  messageId: string;

  @CreatedAtColumn()
  createdAt: Date;

  @TimestampColumn({ nullable: true })
  sentAt: Date | null;
}
