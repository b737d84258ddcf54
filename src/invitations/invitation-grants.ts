import { OrgScope } from '../common/auth/request-context.js';
import { mayChangeMember } from '../common/auth/system-roles.js';
import { AppError } from '../common/errors/app-error.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { assertOrganizationRefsFound } from '../users/membership-assignments.js';
import { GrantRefs } from './invitation.repository.js';

export interface InvitationGrants {
  roleIds: string[];
  departmentIds: string[];
  grantsOwner: boolean;
}

/**
 * Checks that every role and department belongs to the organization (the rows `found` were read
 * and locked FOR KEY SHARE inside the invitation's transaction, so they cannot be deleted before
 * commit) and that only an Owner grants the Owner role. No roles means the Member role: an invitee
 * always holds at least one.
 */
export function resolveInvitationGrants(
  org: OrgScope,
  roleIds: string[],
  departmentIds: string[],
  found: GrantRefs,
): InvitationGrants {
  if (roleIds.length === 0 && found.roles.length === 0)
    throw new Error(`organization ${org.organizationId} has no Member role`);
  assertOrganizationRefsFound(
    roleIds,
    departmentIds,
    found.roles.map((role) => role.id),
    found.departmentIds,
  );
  const grantsOwner = found.roles.some((role) => role.is_owner);
  if (!mayChangeMember(org.rank, grantsOwner)) {
    throw new AppError(ErrorCode.INSUFFICIENT_PERMISSIONS, 'Only an Owner can grant the Owner role.', {
      organization_id: org.organizationId,
    });
  }
  return {
    roleIds: roleIds.length > 0 ? roleIds : found.roles.map((role) => role.id),
    departmentIds,
    grantsOwner,
  };
}
