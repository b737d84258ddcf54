import { Injectable } from '@nestjs/common';
import { Caller, OrgScope } from '../common/auth/request-context.js';
import { AppError } from '../common/errors/app-error.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { Db } from '../database/transactions.js';
import { Actor, userActor } from '../events/actor.js';
import { EventLog } from '../events/event-log.js';
import { EventType } from '../events/event-types.js';
import { MemberResponseDto } from './dto/member-response.dto.js';
import { MembershipUpdateDto } from './dto/membership-update.dto.js';
import {
  assertActiveOwnerRemains,
  assertMayChange,
  LockedMember,
  lockMemberForChange,
  lockOrganizationForMemberChange,
} from './member-change-lock.js';
import { MemberViews } from './member-views.js';
import { organizationRefs } from './membership-assignments.js';
import { MembershipsRepository } from './memberships.repository.js';

type Change<T> = (target: LockedMember, callerRank: number) => Promise<T>;

/**
 * What must happen, in the removal's transaction and before the membership goes, to things other
 * modules own about the member (their pending invitation dies with the membership). Registered by
 * those modules at start-up, so this module imports none of them.
 */
export type RemovalStep = (organizationId: string, userId: string, actor: Actor) => Promise<void>;

/**
 * Membership writes: roles and departments, deactivation, reactivation, removal. Each runs in one
 * transaction behind the organization lock (see `lockMemberForChange`) and, where it could take
 * away an active Owner, checks afterwards that one remains, so LAST_OWNER holds under concurrency.
 * Each appends its event (member.updated|deactivated|reactivated|removed) in that transaction.
 */
@Injectable()
export class MemberChangesService {
  private readonly removalSteps: RemovalStep[] = [];

  constructor(
    private readonly db: Db,
    private readonly memberships: MembershipsRepository,
    private readonly views: MemberViews,
    private readonly events: EventLog,
  ) {}

  beforeRemoval(step: RemovalStep): void {
    this.removalSteps.push(step);
  }

  updateMemberships(
    org: OrgScope,
    caller: Caller,
    userId: string,
    input: MembershipUpdateDto,
  ): Promise<MemberResponseDto> {
    return this.change(org, caller, userId, async (target, callerRank) => {
      const { grantsOwner } = await organizationRefs(
        this.db.manager(),
        org.organizationId,
        input.role_ids,
        input.department_ids,
      );
      assertMayChange(target, callerRank, grantsOwner);
      await this.memberships.replaceAssignments(target.membershipId, input.role_ids, input.department_ids);
      if (target.isOwner && !grantsOwner)
        await assertActiveOwnerRemains(this.db.manager(), org.organizationId, userId);
      return this.changed('member.updated', org, caller, userId);
    });
  }

  deactivate(org: OrgScope, caller: Caller, userId: string): Promise<MemberResponseDto> {
    return this.change(org, caller, userId, async (target, callerRank) => {
      assertMayChange(target, callerRank);
      if (!(await this.memberships.deactivate(org.organizationId, target.membershipId))) {
        throw new AppError(ErrorCode.MEMBER_NOT_ACTIVE, undefined, {
          user_id: userId,
          account_state: target.accountState,
        });
      }
      if (target.isOwner) await assertActiveOwnerRemains(this.db.manager(), org.organizationId, userId);
      return this.changed('member.deactivated', org, caller, userId);
    });
  }

  reactivate(org: OrgScope, caller: Caller, userId: string): Promise<MemberResponseDto> {
    return this.change(org, caller, userId, async (target, callerRank) => {
      assertMayChange(target, callerRank);
      if (!(await this.memberships.reactivate(org.organizationId, target.membershipId))) {
        throw new AppError(ErrorCode.MEMBER_NOT_DEACTIVATED, undefined, {
          user_id: userId,
          account_state: target.accountState,
        });
      }
      return this.changed('member.reactivated', org, caller, userId);
    });
  }

  /** Deletes the membership (its roles and departments cascade); the global user remains. */
  remove(org: OrgScope, caller: Caller, userId: string): Promise<void> {
    const actor = userActor(caller);
    // The removal steps lock what they change first: the invitation before the membership, the
    // order accept, decline and revoke lock them in, so a removal racing with them waits instead
    // of deadlocking.
    const first = () =>
      Promise.all(this.removalSteps.map((step) => step(org.organizationId, userId, actor))).then(() => {});
    return this.change(
      org,
      caller,
      userId,
      async (target, callerRank) => {
        assertMayChange(target, callerRank);
        const member = await this.view(org, userId);
        await this.memberships.delete(org.organizationId, target.membershipId);
        if (target.isOwner) await assertActiveOwnerRemains(this.db.manager(), org.organizationId, userId);
        await this.events.append(this.db.manager(), {
          type: 'member.removed',
          organizationId: org.organizationId,
          actor,
          subjectId: userId,
          data: member,
        });
      },
      first,
    );
  }

  /**
   * A department is being deleted (in its transaction, before its row is locked): every member who
   * holds it loses it, with a `member.updated` each, in a fixed number of statements however many
   * members hold it. The organization lock first, as every membership write takes it, so this and a
   * concurrent change of one of those members run one after the other instead of deadlocking.
   */
  async removeDepartment(organizationId: string, departmentId: string, actor: Actor): Promise<void> {
    const manager = this.db.manager();
    await lockOrganizationForMemberChange(manager, organizationId);
    const userIds = await this.memberships.removeDepartment(organizationId, departmentId);
    if (userIds.length === 0) return;
    const views = await this.views.find({ organizationId, rank: 0 }, userIds);
    await this.events.appendAll(
      manager,
      userIds.map((userId) => ({
        type: 'member.updated' as const,
        organizationId,
        actor,
        subjectId: userId,
        data: views.get(userId),
      })),
    );
  }

  private change<T>(
    org: OrgScope,
    caller: Caller,
    userId: string,
    apply: Change<T>,
    beforeMembershipLock?: () => Promise<void>,
  ): Promise<T> {
    return this.db.transaction(async (manager) => {
      const locked = await lockMemberForChange(manager, org.organizationId, userId, caller.userId, {
        beforeMembershipLock,
      });
      return apply(locked.target, locked.callerRank);
    });
  }

  private async changed(
    type: EventType,
    org: OrgScope,
    caller: Caller,
    userId: string,
  ): Promise<MemberResponseDto> {
    await this.events.append(this.db.manager(), {
      type,
      organizationId: org.organizationId,
      actor: userActor(caller),
      subjectId: userId,
      data: await this.views.findOne({ organizationId: org.organizationId, rank: 0 }, userId),
    });
    return this.view(org, userId);
  }

  private async view(org: OrgScope, userId: string): Promise<MemberResponseDto> {
    const view = await this.views.findOne(org, userId);
    if (!view) throw new Error(`membership of ${userId} vanished inside its own transaction`);
    return view;
  }
}
