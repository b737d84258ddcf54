import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { Caller } from '../common/auth/request-context.js';
import { AppError } from '../common/errors/app-error.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { iso, isoOrNull } from '../common/http/timestamps.js';
import { EmailVerificationCodes, markEmailVerified } from '../email-verification/email-verification-codes.js';
import { InvitationAcceptResponseDto, InvitationLookupResponseDto } from './dto/invitation-token.dto.js';
import { InvitationTokens } from './invitation-token.js';
import { Invitation } from './invitation.entity.js';
import { RECORD_GRANTS } from './invitation-grants-sql.js';
import { InvitationOutbox } from './invitation-outbox.js';
import { InvitationQueriesService } from './invitation-queries.service.js';
import { invitationNotFound } from './invitation-status.js';
import { lockPendingByToken, retire } from './invitation-transitions.js';

interface InviteeRow {
  id: string;
  email: string;
  full_name: string | null;
  user_name: string | null;
  created_at: Date;
  activated_at: Date | null;
  email_verified_at: Date | null;
  created_by_invitation_id: string | null;
}

/**
 * How the accepting party showed they may take the invitee's seat (API.md "Email proof"):
 * - `created`: the account exists because of this very invitation and was never active;
 * - `credentials`: the account's email is verified, and the call carries the account's own key;
 * - `email-code`: the code just emailed to the address was entered (the email becomes verified).
 */
type Proof = 'created' | 'credentials' | 'email-code';

/** A refusal whose side effects (a code emailed, a try counted) must be committed before it is answered. */
type Outcome = { accepted: InvitationAcceptResponseDto } | { refused: AppError };

/** What the invitee does with a link: accept it or decline it. */
@Injectable()
export class InvitationAcceptanceService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: InvitationTokens,
    private readonly apiKeys: ApiKeysService,
    private readonly outbox: InvitationOutbox,
    private readonly queries: InvitationQueriesService,
    private readonly emailCodes: EmailVerificationCodes,
  ) {}

  /**
   * Accepts under the invitation's row lock, so of many concurrent accepts exactly one finds it
   * pending. A link proves nothing about who controls the address (the inviting organization's
   * admins can read it), so the accepting party needs one of the proofs above. An account that is
   * activated or proven here gets a new key (after every older key is revoked, for a proof by code);
   * one accepted with its own credentials gets none, so a link never hands out an existing account.
   */
  async accept(
    token: string,
    fullName?: string | null,
    emailCode?: string | null,
    caller?: Caller,
  ): Promise<InvitationAcceptResponseDto> {
    const claims = this.tokens.verify(token);
    if (!claims) throw invitationNotFound();
    const outcome = await this.dataSource.transaction(async (manager): Promise<Outcome> => {
      const invitation = await lockPendingByToken(manager, claims);
      const invitee = await this.lockInvitee(manager, invitation.userId);
      const proof = await this.proofOf(manager, invitation, invitee, emailCode, caller);
      if (proof instanceof AppError) return { refused: proof };
      return { accepted: await this.acceptWith(manager, proof, invitation, invitee, fullName) };
    });
    if ('refused' in outcome) throw outcome.refused;
    return outcome.accepted;
  }

  /** Declining ends the invitation and removes the pending membership; the account itself stays. */
  async decline(token: string): Promise<InvitationLookupResponseDto> {
    const claims = this.tokens.verify(token);
    if (!claims) throw invitationNotFound();
    await this.dataSource.transaction(async (manager) => {
      const invitation = await lockPendingByToken(manager, claims);
      await manager.query(
        `UPDATE invitations AS i SET status = 'declined', declined_at = now(), updated_at = now(), ${RECORD_GRANTS}
          WHERE i.id = $1`,
        [invitation.id],
      );
      await retire(manager, invitation, this.outbox);
    });
    return this.queries.lookup(token);
  }

  /**
   * The proof this call brings, or the refusal to answer with. An unverified account (never active
   * and created by another invitation, or active but unverified) always needs the emailed code,
   * whatever key the call carries: that is what stops an account pre-hijacked by accepting first.
   */
  private async proofOf(
    manager: EntityManager,
    invitation: Invitation,
    invitee: InviteeRow,
    emailCode: string | null | undefined,
    caller: Caller | undefined,
  ): Promise<Proof | AppError> {
    if (!invitee.activated_at && invitee.created_by_invitation_id === invitation.id) return 'created';
    if (invitee.email_verified_at) {
      if (caller?.userId === invitee.id) return 'credentials';
      throw new AppError(ErrorCode.INVITATION_EMAIL_MISMATCH, undefined, { invitation_id: invitation.id });
    }
    if (!emailCode) {
      const request = await this.emailCodes.request(manager, invitee);
      return new AppError(ErrorCode.EMAIL_VERIFICATION_REQUIRED, undefined, {
        invitation_id: invitation.id,
        code_sent: request.sent,
        code_expires_at: isoOrNull(request.expiresAt),
        retry_after_seconds: request.retryAfterSeconds,
      });
    }
    const check = await this.emailCodes.check(manager, invitee.id, emailCode);
    return check.verified ? 'email-code' : check.refusal;
  }

  private async acceptWith(
    manager: EntityManager,
    proof: Proof,
    invitation: Invitation,
    invitee: InviteeRow,
    fullName: string | null | undefined,
  ): Promise<InvitationAcceptResponseDto> {
    let apiKey: string | null = null;
    if (proof === 'credentials') {
      await manager.query('UPDATE users SET activated_at = COALESCE(activated_at, now()) WHERE id = $1', [
        invitee.id,
      ]);
    } else {
      if (proof === 'email-code') {
        // Whoever held keys to this address before it was proven is shut out (account pre-hijacking).
        await markEmailVerified(manager, invitee.id);
        await this.apiKeys.revokeAll(invitee.id, manager);
      }
      // The name is the accepting person's own (they proved the account is theirs), never the inviter's.
      await manager.query(
        `UPDATE users SET activated_at = COALESCE(activated_at, now()), full_name = COALESCE($2, full_name),
                updated_at = now() WHERE id = $1`,
        [invitee.id, fullName ?? null],
      );
      apiKey = (await this.apiKeys.issue(invitee.id, 'invitation', manager)).key;
    }

    // Settle the invitation first: recording what it grants reads the still-pending membership.
    await manager.query(
      `UPDATE invitations AS i SET status = 'accepted', accepted_at = now(), updated_at = now(), ${RECORD_GRANTS}
        WHERE i.id = $1`,
      [invitation.id],
    );
    await this.activateMembership(manager, invitation);
    const user = await this.lockInvitee(manager, invitee.id);
    return {
      user: {
        id: user.id,
        email: user.email,
        full_name: user.full_name,
        user_name: user.user_name,
        email_verified: user.email_verified_at !== null,
        created_at: iso(user.created_at),
      },
      organization_id: invitation.organizationId,
      api_key: apiKey,
    };
  }

  private async lockInvitee(manager: EntityManager, userId: string): Promise<InviteeRow> {
    const [row]: InviteeRow[] = await manager.query(
      `SELECT id, email, full_name, user_name, created_at, activated_at, email_verified_at, created_by_invitation_id
         FROM users WHERE id = $1 FOR UPDATE`,
      [userId],
    );
    return row;
  }

  /**
   * The membership the invitation made holds the invited roles and departments already; it only
   * becomes active. If it is gone or no longer pending (the pending user was removed or changed
   * meanwhile), the invitation cannot be honoured any more.
   */
  private async activateMembership(manager: EntityManager, invitation: Invitation): Promise<void> {
    // For UPDATE, TypeORM's raw result is [rows, affected count].
    const [rows]: [unknown[], number] = await manager.query(
      `UPDATE memberships SET account_state = 'active', updated_at = now()
        WHERE id = $1 AND organization_id = $2 AND account_state = 'pending_invitation'
        RETURNING id`,
      [invitation.membershipId, invitation.organizationId],
    );
    if (rows.length === 0)
      throw new AppError(ErrorCode.INVITATION_REVOKED, undefined, { invitation_id: invitation.id });
  }
}
