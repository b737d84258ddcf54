import { EntityManager } from 'typeorm';
import { mayChangeMember, rankOfRoleKeys } from '../common/auth/system-roles.js';
import { AppError } from '../common/errors/app-error.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { AccountState } from './membership.entity.js';

/** The member a write acts on, as seen under the organization lock. */
export interface LockedMember {
  membershipId: string;
  userId: string;
  accountState: AccountState;
  isOwner: boolean;
}

interface MembershipRow {
  id: string;
  user_id: string;
  account_state: AccountState;
  system_role_keys: string[];
}

/**
 * The organization lock that every membership write takes first (see `lockMemberForChange`), also
 * taken on its own by a write that changes many memberships at once (deleting a department).
 */
export async function lockOrganizationForMemberChange(
  manager: EntityManager,
  organizationId: string,
): Promise<void> {
  const org: unknown[] = await manager.query('SELECT id FROM organizations WHERE id = $1 FOR NO KEY UPDATE', [
    organizationId,
  ]);
  if (org.length === 0) throw new AppError(ErrorCode.ORGANIZATION_NOT_FOUND);
}

/**
 * Opens every membership write: locks the organization row, so writes that could change who the
 * active Owners are run one after another, and then reads the target and the caller. Because the
 * reads follow the lock, each write sees the one before it: two Owners demoting each other at once
 * cannot both see the other still an Owner. The caller's power is re-checked here for the same
 * reason (it may have changed since the guard ran).
 *
 * FOR NO KEY UPDATE rather than FOR UPDATE: it conflicts with itself just the same, but not with
 * the FOR KEY SHARE locks that inserting rows which reference the organization take, so invitations,
 * roles and departments can still be created in the organization meanwhile.
 */
export async function lockMemberForChange(
  manager: EntityManager,
  organizationId: string,
  targetUserId: string,
  callerUserId: string,
  options: { beforeMembershipLock?: () => Promise<void> } = {},
): Promise<{ target: LockedMember; callerRank: number }> {
  await lockOrganizationForMemberChange(manager, organizationId);
  // What must be locked before the membership (a removal's pending invitation), in that order.
  await options.beforeMembershipLock?.();

  const rows: MembershipRow[] = await manager.query(
    `SELECT m.id, m.user_id, m.account_state,
            COALESCE((SELECT array_agg(r.key) FROM membership_roles mr JOIN roles r ON r.id = mr.role_id AND r.is_system
                       WHERE mr.membership_id = m.id), '{}') AS system_role_keys
       FROM memberships m
      WHERE m.organization_id = $1 AND m.user_id = ANY($2::varchar[])
        FOR NO KEY UPDATE OF m`,
    [organizationId, [targetUserId, callerUserId]],
  );
  const caller = rows.find((r) => r.user_id === callerUserId && r.account_state === 'active');
  // The caller was deactivated or removed after the guard admitted them: answer as the guard would now.
  if (!caller) throw new AppError(ErrorCode.ORGANIZATION_NOT_FOUND);
  const callerRank = rankOfRoleKeys(caller.system_role_keys);
  if (!mayChangeMember(callerRank, false)) throw new AppError(ErrorCode.INSUFFICIENT_PERMISSIONS);

  const target = rows.find((r) => r.user_id === targetUserId);
  if (!target) throw new AppError(ErrorCode.USER_NOT_FOUND, undefined, { user_id: targetUserId });
  return {
    target: {
      membershipId: target.id,
      userId: target.user_id,
      accountState: target.account_state,
      isOwner: target.system_role_keys.includes('owner'),
    },
    callerRank,
  };
}

/** Only an Owner may act on an Owner, or grant the Owner role (`grantsOwner`). */
export function assertMayChange(target: LockedMember, callerRank: number, grantsOwner = false): void {
  if (!mayChangeMember(callerRank, target.isOwner || grantsOwner)) {
    throw new AppError(
      ErrorCode.INSUFFICIENT_PERMISSIONS,
      'Only an Owner can grant or remove the Owner role, or change, deactivate or remove an Owner.',
      { user_id: target.userId },
    );
  }
}

/**
 * Run after the change, inside the same transaction: if no active member holds the Owner role any
 * more, the change is refused and rolled back.
 */
export async function assertActiveOwnerRemains(
  manager: EntityManager,
  organizationId: string,
  userId: string,
): Promise<void> {
  const [row]: { remains: boolean }[] = await manager.query(
    `SELECT EXISTS (
       SELECT 1 FROM memberships m
         JOIN membership_roles mr ON mr.membership_id = m.id
         JOIN roles r ON r.id = mr.role_id
        WHERE m.organization_id = $1 AND m.account_state = 'active'
          AND r.organization_id = $1 AND r.is_system AND r.key = 'owner'
     ) AS remains`,
    [organizationId],
  );
  if (!row.remains)
    throw new AppError(ErrorCode.LAST_OWNER, undefined, { organization_id: organizationId, user_id: userId });
}
