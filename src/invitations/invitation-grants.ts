import { EntityManager } from 'typeorm';
import { OrgScope } from '../common/auth/request-context.js';
import { mayChangeMember } from '../common/auth/system-roles.js';
import { AppError, FieldError } from '../common/errors/app-error.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { organizationRefs } from '../users/membership-assignments.js';

/** The body field the role IDs came from, so a bad one is named where the caller put it. */
export type RoleField = 'role_ids' | 'role_id' | 'role';

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
  roleField: RoleField = 'role_ids',
): Promise<InvitationGrants> {
  const roles = roleIds.length > 0 ? roleIds : [await memberRoleId(manager, org.organizationId)];
  let grantsOwner: boolean;
  try {
    ({ grantsOwner } = await organizationRefs(manager, org.organizationId, roles, departmentIds));
  } catch (error) {
    throw roleField === 'role_ids' ? error : relocateRoleErrors(error, roleField);
  }
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

/** Seed 000 sends one `role_id` and seed 002 one `role`: point their errors at that field. */
function relocateRoleErrors(error: unknown, roleField: RoleField): unknown {
  if (!(error instanceof AppError) || error.code !== ErrorCode.VALIDATION_ERROR) return error;
  const errors = (error.details.errors ?? []) as FieldError[];
  return AppError.validation(
    errors.map((e) => (e.loc[1] === 'role_ids' ? { ...e, loc: ['body', roleField] } : e)),
    error.message,
  );
}
