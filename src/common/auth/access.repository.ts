import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { rankOfRoleKeys } from './system-roles.js';
import { hashApiKey } from './api-key-secret.js';
import { Caller, OrgScope } from './request-context.js';

/** The read behind every authenticated request: one indexed query. */
@Injectable()
export class AccessRepository {
  constructor(private readonly dataSource: DataSource) {}

  async callerForKey(key: string): Promise<Caller | undefined> {
    const rows: { key_id: string; user_id: string; email: string }[] = await this.dataSource.query(
      `SELECT k.id AS key_id, u.id AS user_id, u.email
         FROM api_keys k JOIN users u ON u.id = k.user_id
        WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
      [hashApiKey(key)],
    );
    const row = rows[0];
    return row && { userId: row.user_id, email: row.email, apiKeyId: row.key_id };
  }

  /**
   * The caller and, in the same round trip, their active membership in the organization `idOrSlug`
   * names (an `org_…` ID or a slug; slugs cannot contain `_`, so the two never collide). This runs
   * on every org-scoped request, so it is one indexed query, not two. `scope` is undefined when the
   * organization does not exist or the caller is not an active member of it.
   */
  async callerInOrg(key: string, idOrSlug: string): Promise<{ caller: Caller; scope: OrgScope | undefined } | undefined> {
    if (idOrSlug.length > 64) {
      const caller = await this.callerForKey(key);
      return caller && { caller, scope: undefined };
    }
    const column = idOrSlug.startsWith('org_') ? 'id' : 'slug';
    const rows: {
      key_id: string;
      user_id: string;
      email: string;
      organization_id: string | null;
      slug: string;
      name: string;
      membership_id: string;
      role_keys: (string | null)[];
    }[] = await this.dataSource.query(
      `SELECT k.id AS key_id, u.id AS user_id, u.email,
              s.id AS organization_id, s.slug, s.name, s.membership_id, s.role_keys
         FROM api_keys k
         JOIN users u ON u.id = k.user_id
         LEFT JOIN LATERAL (
              SELECT o.id, o.slug, o.name, m.id AS membership_id,
                     COALESCE(array_agg(r.key) FILTER (WHERE r.key IS NOT NULL), '{}') AS role_keys
                FROM organizations o
                JOIN memberships m ON m.organization_id = o.id AND m.user_id = u.id AND m.account_state = 'active'
                LEFT JOIN membership_roles mr ON mr.membership_id = m.id
                LEFT JOIN roles r ON r.id = mr.role_id AND r.is_system
               WHERE o.${column} = $2
               GROUP BY o.id, m.id) s ON true
        WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
      [hashApiKey(key), idOrSlug],
    );
    const row = rows[0];
    if (!row) return undefined;
    const caller = { userId: row.user_id, email: row.email, apiKeyId: row.key_id };
    if (!row.organization_id) return { caller, scope: undefined };
    const roleKeys = row.role_keys.filter((k): k is string => k !== null);
    return {
      caller,
      scope: {
        organizationId: row.organization_id,
        slug: row.slug,
        name: row.name,
        membershipId: row.membership_id,
        roleKeys,
        rank: rankOfRoleKeys(roleKeys),
      },
    };
  }
}
