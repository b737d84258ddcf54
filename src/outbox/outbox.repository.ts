import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { preparedQuery } from '../database/pool-query.js';
import { JobQueue } from '../jobs/job-queue.js';

/** The job that sends one outbox row (added by the table's trigger for every queued row). */
export const EMAIL_TASK = 'email_send';

/** The job key of a row's email job: one queued job per row. */
export function emailJobKey(outboxId: string): string {
  return `email:${outboxId}`;
}

/** A claimed outbox row, as the claim query returns it. */
export interface ClaimedEmail {
  id: string;
  /** An invitation email names the invitation and its version; a verification-code email its code. */
  invitationId: string | null;
  invitationVersion: number | null;
  verificationCodeId: string | null;
  attempts: number;
  messageId: string;
}

interface ClaimedRow {
  id: string;
  invitation_id: string | null;
  invitation_version: number | null;
  verification_code_id: string | null;
  attempts: number;
  message_id: string;
}

const CLAIMED_COLUMNS = 'id, invitation_id, invitation_version, verification_code_id, attempts, message_id';

/**
 * The `email_outbox` table: every statement sent to it is here. Each state change is one SQL
 * statement so that several workers, in one process or many, can share the table. Every queued row
 * has its job (the table's trigger adds it in the inserting transaction; a failed attempt adds the
 * retry's): the job names the row, the row keeps the email's state. It sits below every feature
 * that queues mail (email-verification, invitations' reaction in mail/), so it knows none of them:
 * what a sent or failed email means for an invitation is mail/'s `EmailOutcomes`.
 */
@Injectable()
export class OutboxRepository {
  private readonly messageIdHost: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobQueue,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.messageIdHost = new URL(config.publicAppUrl).hostname;
  }

  /** Stable per invitation version, so a retried send is recognisably the same message. */
  messageId(invitationId: string, version: number): string {
    return `<${invitationId}.v${version}@${this.messageIdHost}>`;
  }

  /**
   * The email of each invitation created with `send_invitation`, queued in the statement that
   * appends its `invitation.created` event (an EventLog writing reaction over `appended`): a new
   * invitation is at version 1, so no older mail is to be superseded. The message id is messageId's.
   */
  createdInvitationEmailsWrite(): string {
    const host = this.messageIdHost.replace(/'/g, "''");
    return `INSERT INTO email_outbox (invitation_id, invitation_version, message_id)
         SELECT a.subject_id, 1, '<' || a.subject_id || '.v1@${host}>' FROM appended a
          WHERE a.type = 'invitation.created' AND a.data->>'email_status' = 'queued'
         ON CONFLICT (invitation_id, invitation_version) DO NOTHING`;
  }

  /**
   * Queues the email of this version of the invitation in the caller's transaction (its job comes
   * with the row). Mail still queued for older versions carries a dead link, so it is superseded.
   */
  enqueue(manager: EntityManager, invitationId: string, version: number): Promise<void> {
    return this.enqueueAll(manager, [{ invitationId, version }]);
  }

  /**
   * `enqueue` for many invitations at once, in two statements however many there are (a bulk
   * request's thousand invitations must not cost two thousand statements); one when every email is
   * of a first version.
   */
  async enqueueAll(
    manager: EntityManager,
    emails: readonly { invitationId: string; version: number }[],
  ): Promise<void> {
    if (emails.length === 0) return;
    const ids = emails.map((email) => email.invitationId);
    const versions = emails.map((email) => email.version);
    // Only a later version (a resend) can have older mail still queued.
    if (versions.some((version) => version > 1))
      await preparedQuery(manager, SUPERSEDE_OLDER_VERSIONS, [ids, versions]);
    await preparedQuery(manager, ENQUEUE_INVITATION_EMAILS, [
      ids,
      versions,
      emails.map((email) => this.messageId(email.invitationId, email.version)),
    ]);
  }

  /**
   * Queues the email carrying verification code `codeId` to the user, in the caller's transaction
   * (the code's own). A code email still queued carries a code that no longer works: superseded.
   */
  async enqueueCode(manager: EntityManager, userId: string, codeId: string): Promise<void> {
    await manager.query(
      `UPDATE email_outbox SET status = 'superseded'
        WHERE user_id = $1 AND verification_code_id IS NOT NULL AND status = 'queued'`,
      [userId],
    );
    await manager.query(
      'INSERT INTO email_outbox (user_id, verification_code_id, message_id) VALUES ($1, $2, $3)',
      [userId, codeId, `<${codeId}@${this.messageIdHost}>`],
    );
  }

  /** The invitation is dead (revoked, declined): mail not yet sent for it must not go out. */
  async cancel(manager: EntityManager, invitationId: string): Promise<void> {
    await manager.query(
      `UPDATE email_outbox SET status = 'superseded' WHERE invitation_id = $1 AND status = 'queued'`,
      [invitationId],
    );
  }

  /**
   * Takes one row for its job, if it is due and nobody holds it (the same rules as `claimDue`):
   * undefined when another worker has it, it is not due, or it is no longer queued.
   */
  async claim(outboxId: string, leaseMs: number): Promise<ClaimedEmail | undefined> {
    const [rows]: [ClaimedRow[], number] = await this.dataSource.query(
      `UPDATE email_outbox
          SET locked_until = now() + $2 * interval '1 millisecond', attempts = attempts + 1
        WHERE id IN (SELECT id FROM email_outbox
                      WHERE id = $1 AND status = 'queued' AND next_attempt_at <= now()
                        AND (locked_until IS NULL OR locked_until < now())
                        FOR UPDATE SKIP LOCKED)
    RETURNING ${CLAIMED_COLUMNS}`,
      [outboxId, leaseMs],
    );
    return rows.map(claimedEmail)[0];
  }

  /**
   * The backstop behind the jobs: a job for every row that is due, unclaimed and still queued (its
   * job was lost to a crash, its due time was moved, the queue's schema came after the row), in one
   * statement; the job key makes a row's existing job the same job. Returns how many.
   */
  async addJobsForDue(limit: number): Promise<number> {
    const rows: { n: string }[] = await this.dataSource.query(
      `SELECT count(*) AS n FROM graphile_worker.add_jobs(array(
         SELECT ROW($2::text, json_build_object('outbox_id', id::text), NULL, now(), 25,
                    'email:' || id, NULL, NULL)::graphile_worker.job_spec
           FROM email_outbox
          WHERE status = 'queued' AND next_attempt_at <= now()
            AND (locked_until IS NULL OR locked_until < now())
          ORDER BY next_attempt_at
          LIMIT $1))`,
      [limit, EMAIL_TASK],
    );
    return Number(rows[0].n);
  }

  /**
   * Takes up to `limit` due rows for this worker: SKIP LOCKED lets concurrent claimers pass over each
   * other's rows instead of waiting, and the lease (`locked_until`) keeps a row away from every other
   * worker while it is being sent; if this process dies, the lease runs out and the row is due again.
   */
  async claimDue(limit: number, leaseMs: number): Promise<ClaimedEmail[]> {
    // For UPDATE, TypeORM's raw result is [rows, affected count].
    const [rows]: [ClaimedRow[], number] = await this.dataSource.query(
      `UPDATE email_outbox
          SET locked_until = now() + $2 * interval '1 millisecond', attempts = attempts + 1
        WHERE id IN (SELECT id FROM email_outbox
                      WHERE status = 'queued' AND next_attempt_at <= now()
                        AND (locked_until IS NULL OR locked_until < now())
                      ORDER BY next_attempt_at
                      LIMIT $1
                        FOR UPDATE SKIP LOCKED)
    RETURNING ${CLAIMED_COLUMNS}`,
      [limit, leaseMs],
    );
    return rows.map(claimedEmail);
  }

  /** Sent, in the caller's transaction (mail/'s EmailOutcomes records it on the invitation too). */
  async markSent(manager: EntityManager, outboxId: string): Promise<void> {
    await manager.query(
      `UPDATE email_outbox SET status = 'sent', sent_at = now(), locked_until = NULL, last_error = NULL WHERE id = $1`,
      [outboxId],
    );
  }

  /**
   * A failed attempt, in the caller's transaction: retried after `retryDelayMs` (the retry's job
   * comes with it, due when the row is), or, once `maxAttempts` are spent, given up ('failed').
   * Returns the row's new status; nothing changes when the row stopped being queued meanwhile
   * (superseded by a resend or revoke).
   */
  async markAttemptFailed(
    manager: EntityManager,
    outboxId: string,
    error: string,
    retryDelayMs: number,
    maxAttempts: number,
  ): Promise<'queued' | 'failed' | undefined> {
    const [rows]: [{ status: 'queued' | 'failed'; next_attempt_at: Date }[], number] = await manager.query(
      `UPDATE email_outbox
          SET last_error = $2, locked_until = NULL,
              status = CASE WHEN attempts >= $3 THEN 'failed' ELSE status END,
              next_attempt_at = CASE WHEN attempts >= $3 THEN next_attempt_at
                                     ELSE now() + $4 * interval '1 millisecond' END
        WHERE id = $1 AND status = 'queued'
    RETURNING status, next_attempt_at`,
      [outboxId, error, maxAttempts, retryDelayMs],
    );
    const status = rows[0]?.status;
    if (status === 'queued') {
      await this.jobs.add(
        manager,
        EMAIL_TASK,
        { outbox_id: outboxId },
        { runAt: rows[0].next_attempt_at, jobKey: emailJobKey(outboxId), maxAttempts: 25 },
      );
    }
    return status;
  }

  /** The invitation moved on (resent, revoked, accepted, expired): this version's email must not go out. */
  async markSuperseded(email: ClaimedEmail): Promise<void> {
    await this.dataSource.query(
      `UPDATE email_outbox SET status = 'superseded', locked_until = NULL WHERE id = $1 AND status = 'queued'`,
      [email.id],
    );
  }
}

function claimedEmail(row: ClaimedRow): ClaimedEmail {
  return {
    id: String(row.id),
    invitationId: row.invitation_id,
    invitationVersion: row.invitation_version,
    verificationCodeId: row.verification_code_id,
    attempts: row.attempts,
    messageId: row.message_id,
  };
}

/** `enqueueAll`: older versions' queued mail superseded (resends only), then the new rows. */
const SUPERSEDE_OLDER_VERSIONS = {
  name: 'email_outbox_supersede_older_versions',
  text: `UPDATE email_outbox o SET status = 'superseded'
         FROM unnest($1::varchar[], $2::int[]) AS q(invitation_id, version)
        WHERE o.invitation_id = q.invitation_id AND o.status = 'queued' AND o.invitation_version < q.version`,
};
const ENQUEUE_INVITATION_EMAILS = {
  name: 'email_outbox_enqueue_invitation_emails',
  text: `INSERT INTO email_outbox (invitation_id, invitation_version, message_id)
       SELECT * FROM unnest($1::varchar[], $2::int[], $3::varchar[])
       ON CONFLICT (invitation_id, invitation_version) DO NOTHING`,
};
