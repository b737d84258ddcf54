import { Injectable } from '@nestjs/common';
import { newId } from '../common/ids/ids.js';
import { Db } from '../database/transactions.js';
import { AccountState } from './membership.entity.js';
import { memberAssignmentsSql, MemberRow } from './member-views.js';

/** The account of a member who just joined, as an accept answers it. */
export interface JoinedAccount {
  id: string;
  email: string;
  full_name: string | null;
  user_name: string | null;
  email_verified_at: Date | null;
  created_at: Date;
}

/** Who joined: their account and their member row. */
export interface JoinedMember {
  account: JoinedAccount;
  member: MemberRow;
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
  async joinByInvitation(
    organizationId: string,
    membershipId: string,
    userId: string,
    account: { fullName?: string | null; emailProven: boolean },
  ): Promise<JoinedMember | undefined> {
    const rows: (JoinedAccount & MemberRow)[] = await this.db.manager().query(
      `WITH m AS (
           UPDATE memberships SET account_state = 'active', updated_at = now()
            WHERE id = $1 AND organization_id = $2 AND user_id = $3 AND account_state = 'pending_invitation'
           RETURNING id, user_id, organization_id, account_state, invited_at, deactivated_at),
         u AS (
           UPDATE users SET activated_at = COALESCE(activated_at, now()),
                  full_name = CASE WHEN $4 THEN COALESCE($5, full_name) ELSE full_name END,
                  email_verified_at = CASE WHEN $6 THEN COALESCE(email_verified_at, now()) ELSE email_verified_at END,
                  updated_at = CASE WHEN $4 OR $6 THEN now() ELSE updated_at END
            WHERE id = (SELECT user_id FROM m)
           RETURNING id, email, full_name, user_name, email_verified_at, created_at)
         SELECT u.id, u.id AS user_id, u.email, u.full_name, u.user_name, u.email_verified_at, u.created_at,
                m.account_state, m.organization_id, m.invited_at, m.deactivated_at,
                ${memberAssignmentsSql('m')}
           FROM m JOIN u ON u.id = m.user_id`,
      [
        membershipId,
        organizationId,
        userId,
        account.fullName !== undefined,
        account.fullName ?? null,
        account.emailProven,
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
    };
  }
}
