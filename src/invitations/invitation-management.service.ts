import { Inject, Injectable } from '@nestjs/common';
import { Caller } from '../common/auth/request-context.js';
import { AppError } from '../common/errors/app-error.js';
import { isUniqueViolation } from '../common/errors/database-errors.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Db } from '../database/transactions.js';
import { userActor } from '../events/actor.js';
import { EventLog } from '../events/event-log.js';
import { MembershipsRepository } from '../users/memberships.repository.js';
import { invitationEvent } from './invitation-events.js';
import { Invitation } from './invitation.entity.js';
import { effectiveStatus, invitationNotFound, notPendingError } from './invitation-status.js';
import { InvitationRepository } from './invitation.repository.js';

/** What an Admin or Owner does to an invitation after sending it: resend or revoke. */
@Injectable()
export class InvitationManagementService {
  constructor(
    private readonly db: Db,
    private readonly invitations: InvitationRepository,
    private readonly memberships: MembershipsRepository,
    private readonly events: EventLog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * A new link (the version bump kills the old one), a new expiry and the email queued again (by
   * the `invitation.resent` event's reaction), in one conditional UPDATE: only a pending or expired
   * invitation, and only once the cooldown since the last email has passed, so concurrent resends
   * cannot both go through. The cooldown counts sent emails, not issues: a link issued without one
   * (`send_invitation: false`, email_status 'not_requested') can be sent at once; every resend
   * queues one. The new expiry keeps the invitation's own validity period, kept within 1–30 days.
   */
  async resend(organizationId: string, invitationId: string, caller: Caller): Promise<Invitation> {
    try {
      return await this.db.transaction(async (manager) => {
        const resent = await this.invitations.resend(
          organizationId,
          invitationId,
          this.config.resendCooldownSeconds,
        );
        if (!resent) throw await this.whyNotResent(organizationId, invitationId);
        await this.assertMembershipPending(organizationId, resent);
        const invitation = await this.invitations.findById(resent.id);
        await this.events.append(
          manager,
          invitationEvent('invitation.resent', invitation, userActor(caller)),
        );
        return invitation;
      });
    } catch (error) {
      // An expired invitation cannot come back while a newer one for the same email is pending.
      if (!isUniqueViolation(error, 'uq_invitations_pending_email')) throw error;
      throw new AppError(ErrorCode.INVITATION_ALREADY_PENDING, undefined, {
        invitation_id: await this.invitations.otherPendingId(organizationId, invitationId),
      });
    }
  }

  /** Pending → revoked: the link dies, the pending membership goes, unsent mail is cancelled (by the event's reaction). */
  revoke(organizationId: string, invitationId: string, caller: Caller): Promise<Invitation> {
    return this.db.transaction(async (manager) => {
      const invitation = await this.invitations.lock({ id: invitationId, organizationId });
      if (!invitation) throw invitationNotFound();
      const notPending = notPendingError(invitation);
      if (notPending) throw notPending;
      const revoked = await this.invitations.settle(invitation.id, 'revoked');
      if (invitation.membershipId)
        await this.memberships.deletePending(organizationId, invitation.membershipId);
      await this.events.append(manager, invitationEvent('invitation.revoked', revoked, userActor(caller)));
      return revoked;
    });
  }

  /** Explains a resend that changed nothing: unknown, finished, or too soon (429 with Retry-After). */
  private async whyNotResent(organizationId: string, invitationId: string): Promise<AppError> {
    const invitation = await this.db.manager().findOneBy(Invitation, { id: invitationId, organizationId });
    if (!invitation) return invitationNotFound();
    const status = effectiveStatus(invitation);
    if (status !== 'pending' && status !== 'expired') return notPendingError(invitation)!;
    const retryAfter = await this.invitations.cooldownLeft(
      invitation.issuedAt,
      this.config.resendCooldownSeconds,
    );
    return new AppError(
      ErrorCode.RATE_LIMITED,
      `This invitation was sent moments ago; it can be resent in ${retryAfter} seconds.`,
      { invitation_id: invitationId, retry_after_seconds: retryAfter },
      { 'Retry-After': String(retryAfter) },
    );
  }

  /**
   * A resent link must still lead somewhere: the invitation's pending membership. If the invitee
   * has become a member meanwhile, or their pending membership was removed, the resend is refused.
   */
  private async assertMembershipPending(
    organizationId: string,
    resent: { id: string; membership_id: string | null },
  ): Promise<void> {
    const state = resent.membership_id
      ? await this.memberships.stateOf(organizationId, resent.membership_id)
      : undefined;
    if (state === 'pending_invitation') return;
    if (state)
      throw new AppError(ErrorCode.USER_ALREADY_EXISTS, undefined, {
        invitation_id: resent.id,
        organization_id: organizationId,
      });
    throw new AppError(ErrorCode.INVITATION_REVOKED, undefined, { invitation_id: resent.id });
  }
}
