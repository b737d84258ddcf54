import { EntityManager } from 'typeorm';
import { AppError } from '../common/errors/app-error.js';

const LOC = ['body', 'auto_join', 'role_id'];

/**
 * The role auto-join grants: the one asked for, else the current one, else Member. It must be a
 * role of the organization and never the Owner role (a domain must not hand out ownership). Locked
 * FOR KEY SHARE, so it cannot be deleted before the update that names it commits.
 */
export async function resolveAutoJoinRole(
  manager: EntityManager,
  organizationId: string,
  requested: string | undefined,
  current: string | null,
): Promise<string> {
  const wanted = requested ?? current;
  const rows: { id: string; is_owner: boolean }[] = wanted
    ? await manager.query(
        `SELECT id, (is_system AND key = 'owner') AS is_owner FROM roles WHERE organization_id = $1 AND id = $2 FOR KEY SHARE`,
        [organizationId, wanted],
      )
    : await manager.query(
        `SELECT id, false AS is_owner FROM roles WHERE organization_id = $1 AND is_system AND key = 'member' FOR KEY SHARE`,
        [organizationId],
      );
  const role = rows[0];
  if (!role) {
    throw AppError.validation([
      { loc: LOC, msg: `${requested} is not a role of this organization`, type: 'role_not_found' },
    ]);
  }
  if (role.is_owner) {
    throw AppError.validation([
      { loc: LOC, msg: 'auto_join can never grant the Owner role', type: 'role_owner_forbidden' },
    ]);
  }
  return role.id;
}
