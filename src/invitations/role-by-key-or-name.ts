import { EntityManager } from 'typeorm';
import { AppError } from '../common/errors/app-error.js';

/** A role as the org-slug invitations page names it: the role's id, and the label its response shows. */
export interface NamedRole {
  id: string;
  /** A system role's key (`owner`, `admin`, `member`), else the custom role's name as stored. */
  label: string;
}

/**
 * The org-slug invitations page names roles by key or name, case-insensitively. A key match wins over a name match, so
 * `admin` always means the system role even if a custom role's name resembles it.
 */
export async function roleByKeyOrName(
  manager: EntityManager,
  organizationId: string,
  role: string,
): Promise<NamedRole> {
  const rows: { id: string; key: string; name: string; is_system: boolean }[] = await manager.query(
    `SELECT id, key, name, is_system FROM roles
      WHERE organization_id = $1 AND (lower(key) = lower($2) OR lower(name) = lower($2))
      ORDER BY (lower(key) = lower($2)) DESC, is_system DESC, created_at, id
      LIMIT 1`,
    [organizationId, role],
  );
  const found = rows[0];
  if (!found) {
    throw AppError.validation([
      { loc: ['body', 'role'], msg: `${role} is not a role of this organization`, type: 'role_not_found' },
    ]);
  }
  return { id: found.id, label: found.is_system ? found.key : found.name };
}
