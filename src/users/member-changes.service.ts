import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Caller, OrgScope } from '../common/auth/request-context.js';
import { AppError } from '../common/errors/app-error.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { RECORD_GRANTS } from '../invitations/invitation-grants-sql.js';
import { MemberResponseDto } from './dto/member-response.dto.js';
import { MembershipUpdateDto } from './dto/membership-update.dto.js';
import {
  assertActiveOwnerRemains,
  assertMayChange,
  LockedMember,
  lockMemberForChange,
} from './member-change-lock.js';
import { MemberViews } from './member-views.js';
import { organizationRefs, replaceAssignments } from './membership-assignments.js';

type Change<T> = (manager: EntityManager, target: LockedMember, callerRank: number) => Promise<T>;

/**
 * Membership writes: roles and departments, deactivation, reactivation, removal. Each runs in one
 * transaction behind the organization lock (see `lockMemberForChange`) and, where it could take
 * away an active Owner, checks afterwards that one remains, so LAST_OWNER holds under concurrency.
 */
@Injectable()
export class MemberChangesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly views: MemberViews,
  ) {}

  updateMemberships(
    org: OrgScope,
    caller: Caller,
    userId: string,
    input: MembershipUpdateDto,
  ): Promise<MemberResponseDto> {
    return this.change(org, caller, userId, {}, async (manager, target, callerRank) => {
      const { grantsOwner } = await organizationRefs(
        manager,
        org.organizationId,
        input.role_ids,
        input.department_ids,
      );
      assertMayChange(target, callerRank, grantsOwner);
      await replaceAssignments(manager, target.membershipId, input.role_ids, input.department_ids);
      if (target.isOwner && !grantsOwner) await assertActiveOwnerRemains(manager, org.organizationId, userId);
      return this.view(manager, org, userId);
    });
  }

  // TypeORM answers an UPDATE with [rows, affected row count]; the conditional UPDATEs below use the count.
  deactivate(org: OrgScope, caller: Caller, userId: string): Promise<MemberResponseDto> {
    return this.change(org, caller, userId, {}, async (manager, target, callerRank) => {
      assertMayChange(target, callerRank);
      const [, affected]: [unknown[], number] = await manager.query(
        `UPDATE memberships SET account_state = 'deactivated', deactivated_at = now(), updated_at = now()
          WHERE id = $1 AND organization_id = $2 AND account_state = 'active' RETURNING id`,
        [target.membershipId, org.organizationId],
      );
      if (affected === 0) {
        throw new AppError(ErrorCode.MEMBER_NOT_ACTIVE, undefined, {
          user_id: userId,
          account_state: target.accountState,
        });
      }
      if (target.isOwner) await assertActiveOwnerRemains(manager, org.organizationId, userId);
      return this.view(manager, org, userId);
    });
  }

  reactivate(org: OrgScope, caller: Caller, userId: string): Promise<MemberResponseDto> {
    return this.change(org, caller, userId, {}, async (manager, target, callerRank) => {
      assertMayChange(target, callerRank);
      const [, affected]: [unknown[], number] = await manager.query(
        `UPDATE memberships SET account_state = 'active', deactivated_at = NULL, updated_at = now()
          WHERE id = $1 AND organization_id = $2 AND account_state = 'deactivated' RETURNING id`,
        [target.membershipId, org.organizationId],
      );
      if (affected === 0) {
        throw new AppError(ErrorCode.MEMBER_NOT_DEACTIVATED, undefined, {
          user_id: userId,
          account_state: target.accountState,
        });
      }
      return this.view(manager, org, userId);
    });
  }

  /** Deletes the membership (its roles and departments cascade); the global user remains. */
  remove(org: OrgScope, caller: Caller, userId: string): Promise<void> {
    return this.change(
      org,
      caller,
      userId,
      { lockPendingInvitation: true },
      async (manager, target, callerRank) => {
        assertMayChange(target, callerRank);
        // A pending member's invitation dies with the membership: its link stops working and its
        // queued email is not sent.
        await manager.query(
          `WITH revoked AS (
             UPDATE invitations AS i SET status = 'revoked', revoked_at = now(), updated_at = now(), ${RECORD_GRANTS}
              WHERE i.organization_id = $1 AND i.user_id = $2 AND i.status = 'pending'
             RETURNING i.id
           )
           UPDATE email_outbox SET status = 'superseded'
            WHERE status = 'queued' AND invitation_id IN (SELECT id FROM revoked)`,
          [org.organizationId, userId],
        );
        await manager.query('DELETE FROM memberships WHERE id = $1 AND organization_id = $2', [
          target.membershipId,
          org.organizationId,
        ]);
        if (target.isOwner) await assertActiveOwnerRemains(manager, org.organizationId, userId);
      },
    );
  }

  private change<T>(
    org: OrgScope,
    caller: Caller,
    userId: string,
    options: { lockPendingInvitation?: boolean },
    apply: Change<T>,
  ): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      const locked = await lockMemberForChange(manager, org.organizationId, userId, caller.userId, options);
      return apply(manager, locked.target, locked.callerRank);
    });
  }

  private async view(manager: EntityManager, org: OrgScope, userId: string): Promise<MemberResponseDto> {
    const view = await this.views.findOne(org, userId, manager);
    if (!view) throw new Error(`membership of ${userId} vanished inside its own transaction`);
    return view;
  }
}
