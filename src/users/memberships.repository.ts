import { Injectable } from '@nestjs/common';
import { newId } from '../common/ids/ids.js';
import { partValues, PartsHost, StatementPart, withParts } from '../database/statement-part.js';
import { Db } from '../database/transactions.js';
import { AccountState } from './membership.entity.js';
import { memberAssignmentsSql, MemberRow } from './member-views.js';
import type { UserProfileRow } from './users.repository.js';

/** The account of a member who just joined, as an accept answers it: the user's own fields. */
export type JoinedAccount = UserProfileRow;

/** Who joined: their account and their member row. */
export interface JoinedMember {
  account: JoinedAccount;
  member: MemberRow;
}

/** One of a user's memberships, as `GET /v1/me` lists them. */
export interface UserMembershipRow {
  organization_id: string;
  organization_name: string;
  organization_slug: string;
  account_state: AccountState;
  role_ids: string[];
  department_ids: string[];
}

/**
 * The `memberships` table and its `membership_roles` / `membership_departments` rows: every write,
 * in the caller's transaction through `Db`. Each statement carries the organization id.
 */
@Injectable()
export class MembershipsRepository {
  constructor(private readonly db: Db) {}

  /** A new active membership holding one role (an organization's creator, a domain join); undefined if one exists. */
  async insertActive(organizationId: string, userId: string, roleId: string): Promise<string | undefined> {
    const inserted: { id: string }[] = await this.db.manager().query(
      `INSERT INTO memberships (id, organization_id, user_id, account_state) VALUES ($1, $2, $3, 'active')
       ON CONFLICT (organization_id, user_id) DO NOTHING RETURNING id`,
      [newId('mem'), organizationId, userId],
    );
    const id = inserted[0]?.id;
    if (id) await this.replaceAssignments(id, [roleId], []);
    return id;
  }

  async stateOf(organizationId: string, membershipId: string): Promise<AccountState | undefined> {
    const rows: { account_state: AccountState }[] = await this.db
      .manager()
      .query('SELECT account_state FROM memberships WHERE id = $1 AND organization_id = $2', [
        membershipId,
        organizationId,
      ]);
    return rows[0]?.account_state;
  }

  /** A pending membership goes away with its invitation; a member who is already active is left alone. */
  async deletePending(organizationId: string, membershipId: string): Promise<void> {
    await this.db.modify(
      `DELETE FROM memberships WHERE id = $1 AND organization_id = $2 AND account_state = 'pending_invitation'`,
      [membershipId, organizationId],
    );
  }

  /** active → deactivated; false when it was not active. */
  async deactivate(organizationId: string, membershipId: string): Promise<boolean> {
    const { count } = await this.db.modify(
      `UPDATE memberships SET account_state = 'deactivated', deactivated_at = now(), updated_at = now()
        WHERE id = $1 AND organization_id = $2 AND account_state = 'active'`,
      [membershipId, organizationId],
    );
    return count > 0;
  }

  /** deactivated → active; false when it was not deactivated. */
  async reactivate(organizationId: string, membershipId: string): Promise<boolean> {
    const { count } = await this.db.modify(
      `UPDATE memberships SET account_state = 'active', deactivated_at = NULL, updated_at = now()
        WHERE id = $1 AND organization_id = $2 AND account_state = 'deactivated'`,
      [membershipId, organizationId],
    );
    return count > 0;
  }

  /** Deletes the membership; its roles and departments cascade, the global user remains. */
  async delete(organizationId: string, membershipId: string): Promise<void> {
    await this.db.modify('DELETE FROM memberships WHERE id = $1 AND organization_id = $2', [
      membershipId,
      organizationId,
    ]);
  }

  /**
   * Makes the membership hold exactly these roles and departments (duplicates ignored). Only the
   * difference is written, so unchanged assignments are not churned; the membership's updated_at moves.
   */
  async replaceAssignments(membershipId: string, roleIds: string[], departmentIds: string[]): Promise<void> {
    const manager = this.db.manager();
    const roles = [...new Set(roleIds)];
    const departments = [...new Set(departmentIds)];
    await manager.query(
      'DELETE FROM membership_roles WHERE membership_id = $1 AND role_id <> ALL($2::varchar[])',
      [membershipId, roles],
    );
    await manager.query(
      'INSERT INTO membership_roles (membership_id, role_id) SELECT $1, unnest($2::varchar[]) ON CONFLICT DO NOTHING',
      [membershipId, roles],
    );
    await manager.query(
      'DELETE FROM membership_departments WHERE membership_id = $1 AND department_id <> ALL($2::varchar[])',
      [membershipId, departments],
    );
    await manager.query(
      'INSERT INTO membership_departments (membership_id, department_id) SELECT $1, unnest($2::varchar[]) ON CONFLICT DO NOTHING',
      [membershipId, departments],
    );
    await manager.query('UPDATE memberships SET updated_at = now() WHERE id = $1', [membershipId]);
  }

  // --- Accepting an invitation -----------------------------------------------------------------

  /**
   * The invitee joins: their pending membership becomes active and their account active with it,
   * in one statement that returns the account and the member as the member view shows them (their
   * `member.joined`). `fullName` given: it becomes the account's name (the accepting person's own;
   * null keeps it) and updated_at moves; `emailProven`: the email is verified now. Undefined, with
   * nothing changed, when the membership is gone or no longer pending.
   */
  async joinByInvitation<Written extends object = object>(
    organizationId: string,
    membershipId: string,
    userId: string,
    account: { fullName?: string | null; emailProven: boolean },
    parts: readonly StatementPart[] = [],
  ): Promise<(JoinedMember & { written: Written }) | undefined> {
    const { rows } = await this.db.prepared<JoinedAccount & MemberRow & Written>(
      withParts(JOIN_BY_INVITATION, parts),
      [
        membershipId,
        organizationId,
        userId,
        account.fullName !== undefined,
        account.fullName ?? null,
        account.emailProven,
        ...partValues(parts),
      ],
    );
    const [row] = rows;
    if (!row) return undefined;
    return {
      account: {
        id: row.id,
        email: row.email,
        full_name: row.full_name,
        user_name: row.user_name,
        email_verified_at: row.email_verified_at,
        created_at: row.created_at,
      },
      member: row,
      written: row,
    };
  }

  /**
   * Takes the department away from every membership of the organization that holds it (pending
   * ones too: a pending invitation grants what its membership holds), in one statement; their
   * updated_at moves. Returns the users whose membership changed.
   */
  async removeDepartment(organizationId: string, departmentId: string): Promise<string[]> {
    const { rows } = await this.db.modify<{ user_id: string }>(
      `WITH removed AS (
         DELETE FROM membership_departments md USING memberships m
          WHERE md.membership_id = m.id AND m.organization_id = $1 AND md.department_id = $2
         RETURNING md.membership_id)
       UPDATE memberships m SET updated_at = now() FROM removed r WHERE m.id = r.membership_id
       RETURNING m.user_id`,
      [organizationId, departmentId],
    );
    return rows.map((row) => row.user_id);
  }

  /**
   * The pending memberships of a bulk request's rows, in one statement: created or refreshed (an
   * earlier invitation may have left one). A user who
   * is already an active or deactivated member gets no row back: the conditional DO UPDATE skips it.
   * Returns each user's membership id.
   */
  async upsertPendingAll(
    organizationId: string,
    rows: { membershipId: string; userId: string }[],
  ): Promise<Map<string, string>> {
    const returned: { id: string; user_id: string }[] = await this.db.manager().query(
      `INSERT INTO memberships (id, organization_id, user_id, account_state, invited_at)
       SELECT m.id, $1, m.user_id, 'pending_invitation', now()
         FROM unnest($2::varchar[], $3::varchar[]) AS m(id, user_id)
       ON CONFLICT (organization_id, user_id) DO UPDATE SET invited_at = now(), updated_at = now()
        WHERE memberships.account_state = 'pending_invitation'
       RETURNING id, user_id`,
      [organizationId, rows.map((r) => r.membershipId), rows.map((r) => r.userId)],
    );
    return new Map(returned.map((m) => [m.user_id, m.id]));
  }

  /**
   * Deletes memberships this transaction created (a bulk row whose invitation lost the race);
   * their role and department rows cascade.
   */
  async deleteUnused(organizationId: string, membershipIds: string[]): Promise<void> {
    if (membershipIds.length === 0) return;
    await this.db.modify('DELETE FROM memberships WHERE organization_id = $1 AND id = ANY($2::varchar[])', [
      organizationId,
      membershipIds,
    ]);
  }

  /**
   * `replaceAssignments` for many memberships (a bulk request's pending ones), in a fixed number of
   * statements. Only memberships in `refreshed` (an earlier invitation left them) can hold anything
   * to remove.
   */
  async replaceAssignmentsAll(
    rows: { membershipId: string; roleIds: string[]; departmentIds: string[] }[],
    refreshed: ReadonlySet<string>,
  ): Promise<void> {
    const manager = this.db.manager();
    const grants = (ids: 'roleIds' | 'departmentIds', of = rows) =>
      JSON.stringify(of.map((r) => ({ membership_id: r.membershipId, ids: r[ids] })));
    const older = rows.filter((r) => refreshed.has(r.membershipId));
    const recordset = 'jsonb_to_recordset($1::jsonb) AS r(membership_id varchar, ids varchar[])';
    for (const [table, column, ids] of [
      ['membership_roles', 'role_id', 'roleIds'],
      ['membership_departments', 'department_id', 'departmentIds'],
    ] as const) {
      if (older.length > 0)
        await manager.query(
          `DELETE FROM ${table} AS g USING ${recordset}
            WHERE g.membership_id = r.membership_id AND g.${column} <> ALL(r.ids)`,
          [grants(ids, older)],
        );
      const json = grants(ids);
      await manager.query(
        `INSERT INTO ${table} (membership_id, ${column})
         SELECT r.membership_id, unnest(r.ids) FROM ${recordset} ON CONFLICT DO NOTHING`,
        [json],
      );
    }
  }

  /**
   * Every membership of the user, oldest first, with its organization's name and slug (a read-only
   * join: organizations are the organizations folder's, but this one read serves `GET /v1/me`).
   */
  async allOfUser(userId: string): Promise<UserMembershipRow[]> {
    return this.db.manager().query(
      `SELECT o.id AS organization_id, o.name AS organization_name, o.slug AS organization_slug, m.account_state,
              COALESCE((SELECT array_agg(mr.role_id ORDER BY mr.role_id) FROM membership_roles mr WHERE mr.membership_id = m.id), '{}') AS role_ids,
              COALESCE((SELECT array_agg(md.department_id ORDER BY md.department_id) FROM membership_departments md WHERE md.membership_id = m.id), '{}') AS department_ids
         FROM memberships m JOIN organizations o ON o.id = m.organization_id
        WHERE m.user_id = $1
        ORDER BY m.created_at, m.id`,
      [userId],
    );
  }
}

/**
 * `joinByInvitation`'s statement: the membership and the account activated, the member's view
 * returned, with the caller's parts, which may read `m` (the membership: `id`, `user_id`,
 * `organization_id`; empty when it is gone or no longer pending) and `u` (the account: `id`).
 */
const JOIN_BY_INVITATION: PartsHost = {
  name: 'memberships_join_by_invitation',
  parameters: 6,
  text: (composed) => `WITH m AS (
           UPDATE memberships SET account_state = 'active', updated_at = now()
            WHERE id = $1 AND organization_id = $2 AND user_id = $3 AND account_state = 'pending_invitation'
           RETURNING id, user_id, organization_id, account_state, invited_at, deactivated_at),
         u AS (
           UPDATE users SET activated_at = COALESCE(activated_at, now()),
                  full_name = CASE WHEN $4 THEN COALESCE($5, full_name) ELSE full_name END,
                  email_verified_at = CASE WHEN $6 THEN COALESCE(email_verified_at, now()) ELSE email_verified_at END,
                  updated_at = CASE WHEN $4 OR $6 THEN now() ELSE updated_at END
            WHERE id = (SELECT user_id FROM m)
           RETURNING id, email, full_name, user_name, email_verified_at, created_at)${composed.ctes}
         SELECT u.id, u.id AS user_id, u.email, u.full_name, u.user_name, u.email_verified_at, u.created_at,
                m.account_state, m.organization_id, m.invited_at, m.deactivated_at,
                ${memberAssignmentsSql('m')}${composed.columns}
           FROM m JOIN u ON u.id = m.user_id${composed.joins}`,
};
