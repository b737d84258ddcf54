import { EntityManager } from 'typeorm';
import { AppError, FieldError } from '../common/errors/app-error.js';

/** A membership's roles and departments: checking that they belong to the organization (MembershipsRepository writes them). */

/**
 * Checks that every role and department ID belongs to the organization, one query each, and names
 * every bad one (`loc: ['body', 'role_ids', i]`) in a single 400. The rows are locked FOR KEY SHARE
 * so they cannot be deleted before the transaction that assigns them commits.
 * Returns whether the roles include the organization's Owner role.
 */
export async function organizationRefs(
  manager: EntityManager,
  organizationId: string,
  roleIds: string[],
  departmentIds: string[],
): Promise<{ grantsOwner: boolean }> {
  const roles: { id: string; is_owner: boolean }[] = await manager.query(
    `SELECT id, (is_system AND key = 'owner') AS is_owner FROM roles
      WHERE organization_id = $1 AND id = ANY($2::varchar[]) FOR KEY SHARE`,
    [organizationId, roleIds],
  );
  const departments: { id: string }[] =
    departmentIds.length === 0
      ? []
      : await manager.query(
          'SELECT id FROM departments WHERE organization_id = $1 AND id = ANY($2::varchar[]) FOR KEY SHARE',
          [organizationId, departmentIds],
        );
  assertOrganizationRefsFound(
    roleIds,
    departmentIds,
    roles.map((r) => r.id),
    departments.map((d) => d.id),
  );
  return { grantsOwner: roles.some((r) => r.is_owner) };
}

/**
 * The check of `organizationRefs` on rows read elsewhere (the invitation create path reads them
 * with its other preconditions): names every requested ID the organization does not have.
 */
export function assertOrganizationRefsFound(
  roleIds: string[],
  departmentIds: string[],
  foundRoleIds: string[],
  foundDepartmentIds: string[],
): void {
  const errors: FieldError[] = [
    ...unknownIds('role_ids', roleIds, new Set(foundRoleIds), 'role'),
    ...unknownIds('department_ids', departmentIds, new Set(foundDepartmentIds), 'department'),
  ];
  if (errors.length > 0) throw AppError.validation(errors);
}

function unknownIds(field: string, ids: string[], known: Set<string>, noun: string): FieldError[] {
  return ids.flatMap((id, index) =>
    known.has(id)
      ? []
      : [
          {
            loc: ['body', field, index],
            msg: `${id} is not a ${noun} of this organization`,
            type: `${noun}_not_found`,
          },
        ],
  );
}
