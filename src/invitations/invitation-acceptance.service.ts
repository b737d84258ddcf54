import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ApiKeysService, KeyIssue } from '../api-keys/api-keys.service.js';
import { Caller } from '../common/auth/request-context.js';
import { AppError } from '../common/errors/app-error.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { iso, isoOrNull } from '../common/http/timestamps.js';
import { Db } from '../database/transactions.js';
import { EmailVerificationCodes } from '../email-verification/email-verification-codes.js';
import { Actor, userActor } from '../events/actor.js';
import { EventLog, NewEvent } from '../events/event-log.js';
import { memberView } from '../users/member-views.js';
import { JoinedMember, MembershipsRepository } from '../users/memberships.repository.js';
import { InviteeRow } from '../users/users.repository.js';
import { InvitationAcceptResponseDto, InvitationLookupResponseDto } from './dto/invitation-token.dto.js';
import { invitationEvent } from './invitation-events.js';
import { InvitationTokens } from './invitation-token.js';
import { Invitation } from './invitation.entity.js';
import { InvitationQueriesService } from './invitation-queries.service.js';
import { invitationNotFound } from './invitation-status.js';
import { lockPendingByToken, lockPendingWithInviteeByToken } from './invitation-transitions.js';
import { AcceptedColumns, acceptedInvitation, InvitationRepository } from './invitation.repository.js';

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
    private readonly db: Db,
    private readonly tokens: InvitationTokens,
    private readonly apiKeys: ApiKeysService,
    private readonly invitations: InvitationRepository,
    private readonly memberships: MembershipsRepository,
    private readonly queries: InvitationQueriesService,
    private readonly emailCodes: EmailVerificationCodes,
    private readonly events: EventLog,
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
    const outcome = await this.db.transaction(async (manager): Promise<Outcome> => {
      const { invitation, invitee } = await lockPendingWithInviteeByToken(this.invitations, claims);
      const proof = await this.proofOf(manager, invitation, invitee, emailCode, caller);
      if (proof instanceof AppError) return { refused: proof };
      return { accepted: await this.acceptWith(manager, proof, invitation, invitee, fullName, caller) };
    });
    if ('refused' in outcome) throw outcome.refused;
    return outcome.accepted;
  }

  /**
   * Declining ends the invitation and removes the pending membership (its unsent email is cancelled
   * by the event's reaction); the account itself stays. The actor is the invitee the link was for.
   */
  async decline(token: string): Promise<InvitationLookupResponseDto> {
    const claims = this.tokens.verify(token);
    if (!claims) throw invitationNotFound();
    await this.db.transaction(async (manager) => {
      const invitation = await lockPendingByToken(this.invitations, claims);
      const declined = await this.invitations.settle(invitation.id, 'declined');
      if (invitation.membershipId)
        await this.memberships.deletePending(invitation.organizationId, invitation.membershipId);
      await this.events.append(
        manager,
        invitationEvent('invitation.declined', declined, inviteeActor(invitation)),
      );
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

  /**
   * One statement settles the invitation, activates the membership and the account, and writes the
   * key (recording what the invitation grants reads the statement's snapshot, where the membership
   * is still pending). The invitee's row, locked since the start, serialises the key count; the
   * key's event is appended with the invitation's two, in one statement.
   */
  private async acceptWith(
    manager: EntityManager,
    proof: Proof,
    invitation: Invitation,
    invitee: InviteeRow,
    fullName: string | null | undefined,
    caller: Caller | undefined,
  ): Promise<InvitationAcceptResponseDto> {
    const actor = proof === 'credentials' && caller ? userActor(caller) : inviteeActor(invitation);
    let issue: KeyIssue | undefined;
    if (proof !== 'credentials') {
      // Whoever held keys to this address before it was proven is shut out (account pre-hijacking).
      if (proof === 'email-code') await this.apiKeys.revokeAll(invitee.id, actor);
      issue = this.apiKeys.prepareIssue(invitee.id, 'invitation', actor);
    }
    // The name is the accepting person's own (they proved the account is theirs), never the inviter's.
    const joined = await this.join(
      invitation,
      {
        fullName: proof === 'credentials' ? undefined : (fullName ?? null),
        emailProven: proof === 'email-code',
      },
      issue,
    );
    const events: NewEvent[] = [];
    let apiKey: string | null = null;
    if (issue) {
      const issued = issue.issued(joined.written.key_created_at);
      apiKey = issued.created.key;
      events.push(issued.event);
    }
    const accepted = acceptedInvitation(invitation, joined.written);
    events.push(invitationEvent('invitation.accepted', accepted, actor), {
      type: 'member.joined',
      organizationId: invitation.organizationId,
      actor,
      subjectId: invitee.id,
      // The member view as an event sees it: the invitation is settled, so there is no link to show.
      data: { ...memberView(joined.member, null), via: 'invitation' },
    });
    await this.events.appendAll(manager, events);
    const { account } = joined;
    return {
      user: {
        id: account.id,
        email: account.email,
        full_name: account.full_name,
        user_name: account.user_name,
        email_verified: account.email_verified_at !== null,
        created_at: iso(account.created_at),
      },
      organization_id: invitation.organizationId,
      api_key: apiKey,
    };
  }

  /**
   * The membership the invitation made holds the invited roles and departments already; it only
   * becomes active, and the account with it. If it is gone or no longer pending (the pending user
   * was removed or changed meanwhile), the invitation cannot be honoured any more.
   */
  private async join(
    invitation: Invitation,
    account: { fullName?: string | null; emailProven: boolean },
    issue: KeyIssue | undefined,
  ): Promise<JoinedMember & { written: AcceptedColumns & { key_created_at?: Date | null } }> {
    const parts = [this.invitations.acceptedPart(invitation.id), ...(issue ? [issue.part] : [])];
    const joined =
      invitation.membershipId === null
        ? undefined
        : await this.memberships.joinByInvitation<AcceptedColumns & { key_created_at?: Date | null }>(
            invitation.organizationId,
            invitation.membershipId,
            invitation.userId,
            account,
            parts,
          );
    if (!joined)
      throw new AppError(ErrorCode.INVITATION_REVOKED, undefined, { invitation_id: invitation.id });
    return joined;
  }
}

/** Who acts through an invitation's link: the invitee it was addressed to. */
function inviteeActor(invitation: Invitation): Actor {
  return userActor({ userId: invitation.userId });
}
