import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppError } from '../common/errors/app-error.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { newId } from '../common/ids/ids.js';
import { OutboxRepository } from '../outbox/outbox.repository.js';
import { EMAIL_CODE_RULES, EmailCodes } from './email-codes.js';

/** What asking for a code did: a new one was emailed, or the last one is too recent to replace. */
export interface CodeRequest {
  sent: boolean;
  /** When the code that is live now stops working; null when none is (all tries spent). */
  expiresAt: Date | null;
  /** Seconds until a new code may be requested. */
  retryAfterSeconds: number;
}

/** The result of one try. A wrong or missing code is reported after the try has been committed. */
export type CodeCheck = { verified: true } | { verified: false; refusal: AppError };

/**
 * The `email_verification_codes` table (each new code's email is queued through the outbox's
 * repository, in the same transaction). Every rule is one SQL
 * statement, so the database enforces it under concurrency: the upsert that issues a code refuses
 * to replace one younger than a minute, and the UPDATE that checks a try counts it in the same
 * statement and refuses a sixth. Both run inside the caller's transaction.
 */
@Injectable()
export class EmailVerificationCodes {
  constructor(
    private readonly codes: EmailCodes,
    private readonly outbox: OutboxRepository,
  ) {}

  /** Issues a new code for the user and queues its email, unless the last code is less than a minute old. */
  async request(manager: EntityManager, user: { id: string; email: string }): Promise<CodeRequest> {
    const id = newId('evc');
    const { ttlMinutes, newCodeAfterSeconds, maxAttempts } = EMAIL_CODE_RULES;
    const issued: { expires_at: Date }[] = await manager.query(
      `INSERT INTO email_verification_codes AS c (user_id, id, email, code_hash, attempts, issued_at, expires_at)
       VALUES ($1, $2, $3, $4, 0, now(), now() + make_interval(mins => $5))
       ON CONFLICT (user_id) DO UPDATE
          SET id = EXCLUDED.id, email = EXCLUDED.email, code_hash = EXCLUDED.code_hash, attempts = 0,
              issued_at = EXCLUDED.issued_at, expires_at = EXCLUDED.expires_at, consumed_at = NULL
        WHERE c.issued_at <= now() - make_interval(secs => $6)
       RETURNING expires_at`,
      [
        user.id,
        id,
        user.email,
        this.codes.hash(user.id, this.codes.codeFor(id)),
        ttlMinutes,
        newCodeAfterSeconds,
      ],
    );
    if (issued.length > 0) {
      await this.outbox.enqueueCode(manager, user.id, id);
      return { sent: true, expiresAt: issued[0].expires_at, retryAfterSeconds: newCodeAfterSeconds };
    }
    const [current]: { live_until: Date | null; retry_after: number }[] = await manager.query(
      `SELECT CASE WHEN consumed_at IS NULL AND attempts < $2 AND expires_at > now() THEN expires_at END AS live_until,
              GREATEST(1, CEIL(EXTRACT(EPOCH FROM issued_at + make_interval(secs => $3) - now())))::int AS retry_after
         FROM email_verification_codes WHERE user_id = $1`,
      [user.id, maxAttempts, newCodeAfterSeconds],
    );
    return { sent: false, expiresAt: current.live_until, retryAfterSeconds: current.retry_after };
  }

  /**
   * One try of `code` against the user's live code. The try is counted by the same statement that
   * checks it, and only a live code (not expired, not used, fewer than 5 tries) can match; a right
   * code is used up. The caller must commit before throwing the refusal, or the count is lost.
   */
  async check(manager: EntityManager, userId: string, code: string): Promise<CodeCheck> {
    // The comparison is of keyed hashes, so its timing says nothing useful about the code.
    const [rows]: [{ matched: boolean; attempts: number }[], number] = await manager.query(
      `UPDATE email_verification_codes
          SET attempts = attempts + 1, consumed_at = CASE WHEN code_hash = $2 THEN now() END
        WHERE user_id = $1 AND consumed_at IS NULL AND attempts < $3 AND expires_at > now()
      RETURNING consumed_at IS NOT NULL AS matched, attempts`,
      [userId, this.codes.hash(userId, code), EMAIL_CODE_RULES.maxAttempts],
    );
    const row = rows[0];
    if (!row) return { verified: false, refusal: new AppError(ErrorCode.EMAIL_CODE_EXPIRED) };
    if (row.matched) return { verified: true };
    const remaining = EMAIL_CODE_RULES.maxAttempts - row.attempts;
    return {
      verified: false,
      refusal: new AppError(
        ErrorCode.EMAIL_CODE_INVALID,
        remaining > 0
          ? undefined
          : 'The verification code is wrong, and that was the last try; request a new one.',
        { attempts_remaining: remaining },
      ),
    };
  }
}
