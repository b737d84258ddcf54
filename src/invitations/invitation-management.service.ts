import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppError } from '../common/errors/app-error.js';
import { isUniqueViolation } from '../common/errors/database-errors.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Invitation } from './invitation.entity.js';
import { RECORD_GRANTS } from './invitation-grants-sql.js';
import { InvitationOutbox } from './invitation-outbox.js';
import { effectiveStatus, invitationNotFound, notPendingError } from './invitation-status.js';
import { lockInvitation, retire } from './invitation-transitions.js';

interface ResentRow {
  id: string;
  version: number;
  membership_id: string | null;
}

/** What an Admin or Owner does to an invitation after sending it: resend or revoke. */
@Injectable()
export class InvitationManagementService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: InvitationOutbox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * A new link (the version bump kills the old one), a new expiry and the email queued again, in one
   * conditional UPDATE: only a pending or expired invitation, and only once the cooldown since the
   * last email has passed, so concurrent resends cannot both go through. The cooldown counts sent
   * emails, not issues: a link issued without one (`send_invitation: false`, email_status
   * 'not_requested') can be sent at once; every resend queues one. The new expiry keeps the
   * invitation's own validity period (expires_in_days), kept within 1–30 days.
   */
  async resend(organizationId: string, invitationId: string): Promise<Invitation> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        // For UPDATE, TypeORM's raw result is [rows, affected count].
        const [rows]: [ResentRow[], number] = await manager.query(
          `UPDATE invitations
              SET version = version + 1, status = 'pending', issued_at = now(),
                  expires_at = now() + LEAST(GREATEST(expires_at - issued_at, interval '1 day'), interval '30 days'),
                  email_status = 'queued', email_last_error = NULL, updated_at = now()
            WHERE id = $1 AND organization_id = $2 AND status IN ('pending', 'expired')
              AND (email_status = 'not_requested' OR issued_at <= now() - make_interval(secs => $3))
        RETURNING id, version, membership_id`,
          [invitationId, organizationId, this.config.resendCooldownSeconds],
        );
        const resent = rows[0];
        if (!resent) throw await this.whyNotResent(manager, organizationId, invitationId);
        await this.assertMembershipPending(manager, organizationId, resent);
        await this.outbox.queue(manager, resent.id, resent.version);
        return manager.findOneByOrFail(Invitation, { id: resent.id });
      });
    } catch (error) {
      // An expired invitation cannot come back while a newer one for the same email is pending.
      if (!isUniqueViolation(error, 'uq_invitations_pending_email')) throw error;
      throw new AppError(ErrorCode.INVITATION_ALREADY_PENDING, undefined, {
        invitation_id: await this.otherPendingId(organizationId, invitationId),
      });
    }
  }

  /** Pending → revoked: the link dies, the pending membership goes, unsent mail is cancelled. */
  revoke(organizationId: string, invitationId: string): Promise<Invitation> {
    return this.dataSource.transaction(async (manager) => {
      const invitation = await lockInvitation(manager, { id: invitationId, organizationId });
      if (!invitation) throw invitationNotFound();
      const notPending = notPendingError(invitation);
      if (notPending) throw notPending;
      await manager.query(
        `UPDATE invitations AS i SET status = 'revoked', revoked_at = now(), updated_at = now(), ${RECORD_GRANTS}
          WHERE i.id = $1`,
        [invitation.id],
      );
      await retire(manager, invitation, this.outbox);
      return manager.findOneByOrFail(Invitation, { id: invitation.id });
    });
  }

  /** Explains a resend that changed nothing: unknown, finished, or too soon (429 with Retry-After). */
  private async whyNotResent(
    manager: EntityManager,
    organizationId: string,
    invitationId: string,
  ): Promise<AppError> {
    const invitation = await manager.findOneBy(Invitation, { id: invitationId, organizationId });
    if (!invitation) return invitationNotFound();
    const status = effectiveStatus(invitation);
    if (status !== 'pending' && status !== 'expired') return notPendingError(invitation)!;
    const [{ seconds }]: { seconds: string }[] = await manager.query(
      `SELECT GREATEST(1, CEIL(EXTRACT(EPOCH FROM ($1::timestamptz + make_interval(secs => $2) - now())))) AS seconds`,
      [invitation.issuedAt, this.config.resendCooldownSeconds],
    );
    const retryAfter = Number(seconds);
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
    manager: EntityManager,
    organizationId: string,
    resent: ResentRow,
  ): Promise<void> {
    const rows: { account_state: string }[] = resent.membership_id
      ? await manager.query('SELECT account_state FROM memberships WHERE id = $1 AND organization_id = $2', [
          resent.membership_id,
          organizationId,
        ])
      : [];
    const state = rows[0]?.account_state;
    if (state === 'pending_invitation') return;
    if (state)
      throw new AppError(ErrorCode.USER_ALREADY_EXISTS, undefined, {
        invitation_id: resent.id,
        organization_id: organizationId,
      });
    throw new AppError(ErrorCode.INVITATION_REVOKED, undefined, { invitation_id: resent.id });
  }

  private async otherPendingId(organizationId: string, invitationId: string): Promise<string | null> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT other.id FROM invitations other
         JOIN invitations i ON i.organization_id = other.organization_id AND i.email = other.email
        WHERE i.id = $1 AND i.organization_id = $2 AND other.status = 'pending' AND other.id <> i.id`,
      [invitationId, organizationId],
    );
    return rows[0]?.id ?? null;
  }
}
