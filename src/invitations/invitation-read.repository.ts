import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { poolQuery, PreparedStatement } from '../database/pool-query.js';
import { EmailStatus, INVITATION_STATUSES, InvitationStatus } from './invitation.entity.js';
import { grantedDepartmentIdsSql, grantedRoleIdsSql, ownerAmongSql } from './invitation-grants-sql.js';
import { effectiveStatusCondition, effectiveStatusSql } from './invitation-status.js';

/**
 * The hot reads of `invitations` (the pending-invitation page, the resource, the list): each a named
 * prepared statement with fixed text per variant, sent straight to the pool (outside any
 * transaction), so PostgreSQL parses and plans it once per connection and no entity is hydrated.
 * The rows come out as the responses need them: the effective status, the grants, whether they
 * hold the Owner role (link visibility), and timestamps already formatted as the API writes them.
 */

/** API timestamps (`iso()`: UTC, second precision, `Z`), formatted by PostgreSQL; NULL stays NULL. */
const isoSql = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
/** A keyset position's `created_at`, as `Date#toISOString` writes it (milliseconds). */
const isoMsSql = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

// The grants once per row (OFFSET 0 keeps the subquery from being inlined into each of its uses).
const GRANTS = `CROSS JOIN LATERAL (SELECT ${grantedRoleIdsSql('i')} AS role_ids,
                                            ${grantedDepartmentIdsSql('i')} AS department_ids OFFSET 0) g`;

/** What every row carries for the link: shown only while pending, to a viewer who may create it. */
const LINK_COLUMNS = `${effectiveStatusSql('i')} AS status, i.version, ${ownerAmongSql('i', 'g.role_ids')} AS grants_owner`;

const RESOURCE_COLUMNS = `i.id, i.organization_id, i.email, i.user_id, array_to_json(g.role_ids) AS role_ids,
       array_to_json(g.department_ids) AS department_ids, ${LINK_COLUMNS}, i.custom_message, i.invited_by,
       i.email_status, ${isoSql('i.expires_at')} AS expires_at, ${isoSql('i.created_at')} AS created_at,
       ${isoSql('i.accepted_at')} AS accepted_at, ${isoSql('i.revoked_at')} AS revoked_at`;

/** What a row carries for its link (shownLink). */
export interface LinkFields {
  id: string;
  status: InvitationStatus;
  version: number;
  grants_owner: boolean;
}

/** The pending-invitation page's row. */
export interface PendingInvitationRow extends LinkFields {
  email: string;
  user_id: string;
  organization_id: string;
  role_ids: string[];
  expires_at: string;
  created_at: string;
}

/** The Invitation resource's row. */
export interface InvitationResourceRow extends LinkFields {
  organization_id: string;
  email: string;
  user_id: string;
  role_ids: string[];
  department_ids: string[];
  custom_message: string | null;
  invited_by: string | null;
  email_status: EmailStatus;
  expires_at: string;
  created_at: string;
  accepted_at: string | null;
  revoked_at: string | null;
}

/** A list row: the resource and its keyset position. */
export interface InvitationListRow extends InvitationResourceRow {
  position_at: string;
}

export type PendingKeyColumn = 'email' | 'user_id' | 'id';

const PENDING_BY = Object.fromEntries(
  (['email', 'user_id', 'id'] as const).map((column) => [
    column,
    {
      name: `invitations_pending_by_${column}`,
      text: `SELECT i.id, i.email, i.user_id, i.organization_id, array_to_json(g.role_ids) AS role_ids, ${LINK_COLUMNS},
       ${isoSql('i.expires_at')} AS expires_at, ${isoSql('i.created_at')} AS created_at
  FROM invitations i
  CROSS JOIN LATERAL (SELECT ${grantedRoleIdsSql('i')} AS role_ids OFFSET 0) g
 WHERE i.organization_id = $1 AND i.${column} = $2 AND ${effectiveStatusCondition('i', 'pending')}`,
    },
  ]),
) as Record<PendingKeyColumn, PreparedStatement>;

const BY_ID: PreparedStatement = {
  name: 'invitations_by_id',
  text: `SELECT ${RESOURCE_COLUMNS} FROM invitations i ${GRANTS} WHERE i.organization_id = $1 AND i.id = $2`,
};

/** A list page's filters (combined with AND) and where it starts. */
export interface InvitationListFilter {
  status?: InvitationStatus;
  email?: string;
  /** The keyset position after which the page starts (created_at with milliseconds, id). */
  after?: { t: string; i: string };
}

/**
 * One statement per combination of filters: $1 organization, $2 the row count, then the email
 * and the position when given. The status is part of the text (effectiveStatusCondition).
 */
function listStatement(
  status: InvitationStatus | undefined,
  byEmail: boolean,
  after: boolean,
): PreparedStatement {
  const where = ['i.organization_id = $1'];
  if (status) where.push(effectiveStatusCondition('i', status));
  let next = 3;
  if (byEmail) where.push(`i.email = $${next++}`);
  if (after) where.push(`(i.created_at, i.id) > ($${next++}::timestamptz, $${next++}::varchar)`);
  return {
    name: ['invitations_list', status ?? 'any', byEmail ? 'by_email' : 'all', after ? 'after' : 'first'].join(
      '_',
    ),
    text: `SELECT ${RESOURCE_COLUMNS}, ${isoMsSql('i.created_at')} AS position_at
  FROM invitations i ${GRANTS}
 WHERE ${where.join(' AND ')}
 ORDER BY i.created_at, i.id
 LIMIT $2`,
  };
}

const listKey = (status: InvitationStatus | undefined, byEmail: boolean, after: boolean) =>
  `${status ?? ''}|${byEmail}|${after}`;

const LIST = new Map<string, PreparedStatement>(
  [undefined, ...INVITATION_STATUSES].flatMap((status) =>
    [false, true].flatMap((byEmail) =>
      [false, true].map(
        (after) => [listKey(status, byEmail, after), listStatement(status, byEmail, after)] as const,
      ),
    ),
  ),
);

/** Reads only, every one scoped by the organization id. */
@Injectable()
export class InvitationReadRepository {
  private readonly query: ReturnType<typeof poolQuery>;

  constructor(dataSource: DataSource) {
    this.query = poolQuery(dataSource);
  }

  /** The live pending invitation (not past its expiry) whose `column` is `value`. */
  async pending(
    organizationId: string,
    column: PendingKeyColumn,
    value: string,
  ): Promise<PendingInvitationRow | undefined> {
    const [row] = await this.query<PendingInvitationRow>(PENDING_BY[column], [organizationId, value]);
    return row;
  }

  async byId(organizationId: string, invitationId: string): Promise<InvitationResourceRow | undefined> {
    const [row] = await this.query<InvitationResourceRow>(BY_ID, [organizationId, invitationId]);
    return row;
  }

  /** Up to `rows` invitations in keyset order (created_at, id). */
  page(organizationId: string, filter: InvitationListFilter, rows: number): Promise<InvitationListRow[]> {
    const statement = LIST.get(
      listKey(filter.status, filter.email !== undefined, filter.after !== undefined),
    );
    if (!statement) throw new Error(`not an invitation status: ${String(filter.status)}`);
    const values: unknown[] = [organizationId, rows];
    if (filter.email !== undefined) values.push(filter.email);
    if (filter.after) values.push(filter.after.t, filter.after.i);
    return this.query<InvitationListRow>(statement, values);
  }
}
