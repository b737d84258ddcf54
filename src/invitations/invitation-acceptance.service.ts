import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { Caller } from '../common/auth/request-context.js';
import { AppError } from '../common/errors/app-error.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { iso } from '../common/http/timestamps.js';
import { InvitationAcceptResponseDto, InvitationLookupResponseDto } from './dto/invitation-token.dto.js';
import { InvitationTokens } from './invitation-token.js';
import { Invitation } from './invitation.entity.js';
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
}

/** What the invitee does with a link: accept it or decline it. */
@Injectable()
export class InvitationAcceptanceService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: InvitationTokens,
    private readonly apiKeys: ApiKeysService,
    private readonly outbox: InvitationOutbox,
    private readonly queries: InvitationQueriesService,
  ) {}

  /**
   * Accepts under the invitation's row lock, so of many concurrent accepts exactly one finds it
   * pending. An account created by the invitation is activated and gets its first key; an account
   * that is already active must accept with its own key and gets none, so a link can never hand
   * out an existing account.
   */
  async accept(
    token: string,
    fullName: string | null | undefined,
    caller: Caller | undefined,
  ): Promise<InvitationAcceptResponseDto> {
    const claims = this.tokens.verify(token);
    if (!claims) throw invitationNotFound();
    return this.dataSource.transaction(async (manager) => {
      const invitation = await lockPendingByToken(manager, claims);
      const invitee = await this.lockInvitee(manager, invitation.userId);

      let apiKey: string | null = null;
      if (invitee.activated_at) {
        if (caller?.userId !== invitee.id) {
          throw new AppError(ErrorCode.INVITATION_EMAIL_MISMATCH, undefined, {
            invitation_id: invitation.id,
          });
        }
      } else {
        await manager.query(
          'UPDATE users SET activated_at = now(), full_name = COALESCE($2, full_name), updated_at = now() WHERE id = $1',
          [invitee.id, fullName ?? null],
        );
        apiKey = (await this.apiKeys.issue(invitee.id, 'invitation', manager)).key;
      }

      await this.activateMembership(manager, invitation);
      await manager.query(
        `UPDATE invitations SET status = 'accepted', accepted_at = now(), updated_at = now() WHERE id = $1`,
        [invitation.id],
      );
      const user = await this.lockInvitee(manager, invitee.id);
      return {
        user: {
          id: user.id,
          email: user.email,
          full_name: user.full_name,
          user_name: user.user_name,
          created_at: iso(user.created_at),
        },
        organization_id: invitation.organizationId,
        api_key: apiKey,
      };
    });
  }

  /** Declining ends the invitation and removes the pending membership; the account itself stays. */
  async decline(token: string): Promise<InvitationLookupResponseDto> {
    const claims = this.tokens.verify(token);
    if (!claims) throw invitationNotFound();
    await this.dataSource.transaction(async (manager) => {
      const invitation = await lockPendingByToken(manager, claims);
      await manager.query(
        `UPDATE invitations SET status = 'declined', declined_at = now(), updated_at = now() WHERE id = $1`,
        [invitation.id],
      );
      await retire(manager, invitation, this.outbox);
    });
    return this.queries.lookup(token);
  }

  private async lockInvitee(manager: EntityManager, userId: string): Promise<InviteeRow> {
    const [row]: InviteeRow[] = await manager.query(
      'SELECT id, email, full_name, user_name, created_at, activated_at FROM users WHERE id = $1 FOR UPDATE',
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
