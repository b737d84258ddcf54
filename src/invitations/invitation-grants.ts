import { EntityManager } from 'typeorm';
import { OrgScope } from '../common/auth/request-context.js';
import { mayChangeMember } from '../common/auth/system-roles.js';
import { AppError } from '../common/errors/app-error.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { organizationRefs } from '../users/membership-assignments.js';

export interface InvitationGrants {
  roleIds: string[];
  departmentIds: string[];
}

/**
 * Checks, inside the invitation's transaction, that every role and department belongs to the
 * organization (locked so they cannot be deleted before commit) and that only an Owner grants the
 * Owner role. No roles means the Member role: an invitee always holds at least one.
 */
export async function resolveInvitationGrants(
  manager: EntityManager,
  org: OrgScope,
  roleIds: string[],
  departmentIds: string[],
): Promise<InvitationGrants> {
  const roles = roleIds.length > 0 ? roleIds : [await memberRoleId(manager, org.organizationId)];
  const { grantsOwner } = await organizationRefs(manager, org.organizationId, roles, departmentIds);
  if (!mayChangeMember(org.rank, grantsOwner)) {
    throw new AppError(ErrorCode.INSUFFICIENT_PERMISSIONS, 'Only an Owner can grant the Owner role.', {
      organization_id: org.organizationId,
    });
  }
  return { roleIds: roles, departmentIds };
}

async function memberRoleId(manager: EntityManager, organizationId: string): Promise<string> {
  const rows: { id: string }[] = await manager.query(
    `SELECT id FROM roles WHERE organization_id = $1 AND is_system AND key = 'member' FOR KEY SHARE`,
    [organizationId],
  );
  if (rows.length === 0) throw new Error(`organization ${organizationId} has no Member role`);
  return rows[0].id;
}
