import { createHmac } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { loadInvitationSecret } from '../config/server-secret.js';

/** API.md "Email proof": 6 digits, valid 10 minutes, 5 tries, at most one new code a minute. */
export const EMAIL_CODE_RULES = {
  digits: 6,
  ttlMinutes: 10,
  maxAttempts: 5,
  newCodeAfterSeconds: 60,
} as const;

/**
 * Email verification codes, derived rather than stored: the code of code row `evc_…` is an HMAC of
 * that id under a key derived from INVITATION_SECRET, so neither the database nor the outbox ever
 * holds a code, and the mail worker can still put it in the email. What the row stores is `hash()`,
 * keyed too, because a 6-digit code has only a million values: an unkeyed hash would fall to a
 * table lookup. Hand-written: it is the same HMAC construction as the invitation tokens.
 */
@Injectable()
export class EmailCodes {
  private readonly key: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    // Domain separation: the invitation-token MACs and these never share a key.
    this.key = createHmac('sha256', loadInvitationSecret(config)).update('email-verification-codes').digest();
  }

  /** The code for a code row id: 6 decimal digits, uniform to within 2^-28 (48 bits reduced mod 10^6). */
  codeFor(codeId: string): string {
    const mac = createHmac('sha256', this.key).update(`code:${codeId}`).digest();
    return String(mac.readUIntBE(0, 6) % 10 ** EMAIL_CODE_RULES.digits).padStart(
      EMAIL_CODE_RULES.digits,
      '0',
    );
  }

  /** What the row stores, and what a try is compared against (in SQL, by the UPDATE that counts the try). */
  hash(userId: string, code: string): string {
    return createHmac('sha256', this.key).update(`hash:${userId}:${code}`).digest('hex');
  }
}
