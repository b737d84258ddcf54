import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn, RefColumn, TimestampColumn } from '../database/columns.js';
import { Invitation } from '../invitations/invitation.entity.js';

export const OUTBOX_STATUSES = ['queued', 'sent', 'failed', 'superseded'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/**
 * One email to send, written in the same transaction as the invitation (the outbox pattern).
 * Workers claim due rows with FOR UPDATE SKIP LOCKED and a lease (`locked_until`).
 */
@Entity('email_outbox')
@Index('uq_email_outbox_invitation_version', ['invitationId', 'invitationVersion'], { unique: true })
@Index('ix_email_outbox_due', ['nextAttemptAt'], { where: `"status" = 'queued'` })
export class EmailOutbox {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @RefColumn()
  invitationId: string;

  @ManyToOne(() => Invitation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'invitation_id', foreignKeyConstraintName: 'fk_email_outbox_invitation' })
  invitation?: Invitation;

  @Column({ type: 'int' })
  invitationVersion: number;

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

  /** Stable per invitation version, so a retried send is recognisable as the same message. */
  @Column({ type: 'varchar', length: 255 })
  messageId: string;

  @CreatedAtColumn()
  createdAt: Date;

  @TimestampColumn({ nullable: true })
  sentAt: Date | null;
}
