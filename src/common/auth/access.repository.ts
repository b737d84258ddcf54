import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { KEY_USE_RESOLUTION_SQL } from './api-key-activity.js';
import { rankOfRoleKeys } from './system-roles.js';
import { hashApiKey } from './api-key-secret.js';
import { Caller, OrgScope } from './request-context.js';

/** Who the credential names: an API key, or an OIDC identity (`iss`, `sub`) already linked to a user. */
export type CallerRef = { apiKey: string } | { issuer: string; subject: string };

/** The caller as the access queries find them; `emailVerified` lets token sign-ins mark a late verification. */
export interface FoundCaller {
  caller: Caller;
  emailVerified: boolean;
}

interface CallerRow {
  key_id: string | null;
  user_id: string;
  email: string;
  email_verified: boolean;
  touch_due: boolean;
}

/**
 * FROM and WHERE for the credential, with its parameters numbered from `$first`. Both are one
 * indexed equality (uq_api_keys_hash, uq_user_identities_issuer_subject).
 */
function source(
  ref: CallerRef,
  first: number,
): { from: string; where: string; keyId: string; touchDue: string; params: string[] } {
  if ('apiKey' in ref) {
    return {
      from: 'api_keys k JOIN users u ON u.id = k.user_id',
      where: `k.key_hash = $${first} AND k.revoked_at IS NULL`,
      keyId: 'k.id',
      // Whether the key's last_used_at is due for a write (never used, or over a minute old), by the
      // database's clock in the same read, so most requests learn "no write needed" for free.
      touchDue: `(k.last_used_at IS NULL OR k.last_used_at < now() - ${KEY_USE_RESOLUTION_SQL})`,
      params: [hashApiKey(ref.apiKey)],
    };
  }
  return {
    from: 'user_identities i JOIN users u ON u.id = i.user_id',
    where: `i.issuer = $${first} AND i.subject = $${first + 1}`,
    keyId: 'NULL',
    touchDue: 'false',
    params: [ref.issuer, ref.subject],
  };
}

function callerOf(ref: CallerRef, row: CallerRow): FoundCaller {
  return {
    caller: {
      userId: row.user_id,
      email: row.email,
      apiKeyId: row.key_id,
      tokenSubject: 'subject' in ref ? ref.subject : null,
      touchDue: row.touch_due,
    },
    emailVerified: row.email_verified,
  };
}

/** The read behind every authenticated request: one indexed query. */
@Injectable()
export class AccessRepository {
  constructor(private readonly dataSource: DataSource) {}

  async callerFor(ref: CallerRef): Promise<FoundCaller | undefined> {
    const who = source(ref, 1);
    const rows: CallerRow[] = await this.dataSource.query(
      `SELECT ${who.keyId} AS key_id, u.id AS user_id, u.email, u.email_verified_at IS NOT NULL AS email_verified, ${who.touchDue} AS touch_due
         FROM ${who.from}
        WHERE ${who.where}`,
      who.params,
    );
    return rows[0] && callerOf(ref, rows[0]);
  }

  /**
   * The caller and, in the same round trip, their active membership in the organization `idOrSlug`
   * names (an `org_…` ID or a slug; slugs cannot contain `_`, so the two never collide). This runs
   * on every org-scoped request, so it is one indexed query, not two. `scope` is undefined when the
   * organization does not exist or the caller is not an active member of it.
   */
  async callerInOrg(
    ref: CallerRef,
    idOrSlug: string,
  ): Promise<(FoundCaller & { scope: OrgScope | undefined }) | undefined> {
    if (idOrSlug.length > 64) {
      const found = await this.callerFor(ref);
      return found && { ...found, scope: undefined };
    }
    const column = idOrSlug.startsWith('org_') ? 'id' : 'slug';
    const who = source(ref, 2);
    const rows: (CallerRow & {
      organization_id: string | null;
      slug: string;
      name: string;
      membership_id: string;
      role_keys: (string | null)[];
    })[] = await this.dataSource.query(
      `SELECT ${who.keyId} AS key_id, u.id AS user_id, u.email, u.email_verified_at IS NOT NULL AS email_verified, ${who.touchDue} AS touch_due,
              s.id AS organization_id, s.slug, s.name, s.membership_id, s.role_keys
         FROM ${who.from}
         LEFT JOIN LATERAL (
              SELECT o.id, o.slug, o.name, m.id AS membership_id,
                     COALESCE(array_agg(r.key) FILTER (WHERE r.key IS NOT NULL), '{}') AS role_keys
                FROM organizations o
                JOIN memberships m ON m.organization_id = o.id AND m.user_id = u.id AND m.account_state = 'active'
                LEFT JOIN membership_roles mr ON mr.membership_id = m.id
                LEFT JOIN roles r ON r.id = mr.role_id AND r.is_system
               WHERE o.${column} = $1
               GROUP BY o.id, m.id) s ON true
        WHERE ${who.where}`,
      [idOrSlug, ...who.params],
    );
    const row = rows[0];
    if (!row) return undefined;
    const found = callerOf(ref, row);
    if (!row.organization_id) return { ...found, scope: undefined };
    const roleKeys = row.role_keys.filter((k): k is string => k !== null);
    return {
      ...found,
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
