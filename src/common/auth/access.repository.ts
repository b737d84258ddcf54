import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { poolQuery, PreparedStatement } from '../../database/pool-query.js';
import { KEY_USE_RESOLUTION_SQL } from './api-key-use-recorder.js';
import { ROLE_RANK } from './system-roles.js';
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

interface ScopedRow extends CallerRow {
  organization_id: string | null;
  membership_id: string | null;
  rank: number | null;
}

type Credential = 'key' | 'identity';
type PathOrg = 'id' | 'slug';

/**
 * FROM and WHERE for the credential, parameters from `$first`. Both are one indexed equality
 * (uq_api_keys_hash, uq_user_identities_issuer_subject) and a users primary-key lookup.
 */
const SOURCES: Record<
  Credential,
  { from: string; where: (first: number) => string; keyId: string; touchDue: string }
> = {
  key: {
    from: 'api_keys k JOIN users u ON u.id = k.user_id',
    where: (first) => `k.key_hash = $${first} AND k.revoked_at IS NULL`,
    keyId: 'k.id',
    // Whether the key's last_used_at is due for a write (never used, or over a minute old), by the
    // database's clock in the same read, so most requests learn "no write needed" for free.
    touchDue: `(k.last_used_at IS NULL OR k.last_used_at < now() - ${KEY_USE_RESOLUTION_SQL})`,
  },
  identity: {
    from: 'user_identities i JOIN users u ON u.id = i.user_id',
    where: (first) => `i.issuer = $${first} AND i.subject = $${first + 1}`,
    keyId: 'NULL',
    touchDue: 'false',
  },
};

const callerColumns = (who: (typeof SOURCES)[Credential]) =>
  `${who.keyId} AS key_id, u.id AS user_id, u.email, u.email_verified_at IS NOT NULL AS email_verified, ${who.touchDue} AS touch_due`;

/** A system role's rank in SQL, from ROLE_RANK (the one definition); custom roles rank as Member. */
const RANK_OF_KEY = `CASE r.key ${Object.entries(ROLE_RANK)
  .map(([key, rank]) => `WHEN '${key}' THEN ${rank}`)
  .join(' ')} ELSE ${ROLE_RANK.member} END`;

/**
 * The membership in the path's organization ($1), active only. By ID the organization row is not
 * read at all (an active membership's organization exists: foreign key); by slug, one
 * uq_organizations_slug lookup. Either way one uq_memberships_org_user probe.
 */
const MEMBERSHIP: Record<PathOrg, string> = {
  id: `LEFT JOIN memberships m ON m.organization_id = $1 AND m.user_id = u.id AND m.account_state = 'active'`,
  slug: `LEFT JOIN organizations o ON o.slug = $1
         LEFT JOIN memberships m ON m.organization_id = o.id AND m.user_id = u.id AND m.account_state = 'active'`,
};

function callerStatement(credential: Credential): PreparedStatement {
  const who = SOURCES[credential];
  return {
    name: `auth_caller_by_${credential}`,
    text: `SELECT ${callerColumns(who)} FROM ${who.from} WHERE ${who.where(1)}`,
  };
}

/**
 * The caller and their highest system role in the path's organization, in one query: the
 * membership's few role rows are read by primary key in a scalar subquery (no lateral join, no
 * array aggregation, no GROUP BY); rank is null when there is no active membership.
 */
function scopedStatement(credential: Credential, org: PathOrg): PreparedStatement {
  const who = SOURCES[credential];
  return {
    name: `auth_caller_in_org_by_${org}_${credential}`,
    text: `SELECT ${callerColumns(who)}, m.organization_id, m.id AS membership_id,
       CASE WHEN m.id IS NOT NULL THEN
         (SELECT COALESCE(max(${RANK_OF_KEY}), ${ROLE_RANK.member})
            FROM membership_roles mr JOIN roles r ON r.id = mr.role_id AND r.is_system
           WHERE mr.membership_id = m.id) END AS rank
  FROM ${who.from}
  ${MEMBERSHIP[org]}
 WHERE ${who.where(2)}`,
  };
}

const CALLER = { key: callerStatement('key'), identity: callerStatement('identity') };
const CALLER_IN_ORG = {
  id: { key: scopedStatement('key', 'id'), identity: scopedStatement('identity', 'id') },
  slug: { key: scopedStatement('key', 'slug'), identity: scopedStatement('identity', 'slug') },
};

function credentialOf(ref: CallerRef): { credential: Credential; params: string[] } {
  return 'apiKey' in ref
    ? { credential: 'key', params: [hashApiKey(ref.apiKey)] }
    : { credential: 'identity', params: [ref.issuer, ref.subject] };
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

/**
 * The read behind every authenticated request: one indexed query, sent straight to the pool as a
 * named prepared statement. Nothing is cached, so a revoked key or a deactivated member is refused
 * on the very next request on every instance.
 */
@Injectable()
export class AccessRepository {
  private readonly query: ReturnType<typeof poolQuery>;

  constructor(dataSource: DataSource) {
    this.query = poolQuery(dataSource);
  }

  async callerFor(ref: CallerRef): Promise<FoundCaller | undefined> {
    const { credential, params } = credentialOf(ref);
    const [row] = await this.query<CallerRow>(CALLER[credential], params);
    return row && callerOf(ref, row);
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
    const { credential, params } = credentialOf(ref);
    const statement = CALLER_IN_ORG[idOrSlug.startsWith('org_') ? 'id' : 'slug'][credential];
    const [row] = await this.query<ScopedRow>(statement, [idOrSlug, ...params]);
    if (!row) return undefined;
    const found = callerOf(ref, row);
    if (row.organization_id === null || row.membership_id === null || row.rank === null)
      return { ...found, scope: undefined };
    return {
      ...found,
      scope: { organizationId: row.organization_id, membershipId: row.membership_id, rank: row.rank },
    };
  }
}
