import { Injectable } from '@nestjs/common';
import { VerifiedUsers } from '../common/auth/oidc/verified-users.js';
import { newId } from '../common/ids/ids.js';
import { partValues, PartsHost, StatementPart, withParts } from '../database/statement-part.js';
import { Db } from '../database/transactions.js';
import { MemberRow } from './member-views.js';

/** A user's row as the invitation flows read it (locked). */
export interface InviteeRow {
  id: string;
  email: string;
  full_name: string | null;
  user_name: string | null;
  created_at: Date;
  activated_at: Date | null;
  email_verified_at: Date | null;
  created_by_invitation_id: string | null;
}

/** A user's own fields, as `GET /v1/me` (and an accept's answer) shows them. */
export interface UserProfileRow {
  id: string;
  email: string;
  full_name: string | null;
  user_name: string | null;
  email_verified_at: Date | null;
  created_at: Date;
}

/**
 * The `users` table's locks and writes for the other modules' flows, in the caller's transaction
 * through `Db`. It is also common/'s `VerifiedUsers` (OIDC linking).
 */
@Injectable()
export class UsersRepository implements VerifiedUsers {
  constructor(private readonly db: Db) {}

  async lockInvitee(userId: string): Promise<InviteeRow> {
    const [row]: InviteeRow[] = await this.db.manager().query(
      `SELECT id, email, full_name, user_name, created_at, activated_at, email_verified_at, created_by_invitation_id
         FROM users WHERE id = $1 FOR UPDATE`,
      [userId],
    );
    return row;
  }

  /**
   * The user with this email, else a new one named `fullName`: either way active and with the email
   * marked verified (an identity provider's verified email, or the operator bootstrapping the first
   * Owner, vouches for it). One statement: concurrent calls serialise on the email's unique index.
   */
  async upsertVerified(email: string, fullName: string | null): Promise<string> {
    const [user]: { id: string }[] = await this.db.manager().query(
      `INSERT INTO users (id, email, full_name, activated_at, email_verified_at) VALUES ($1, $2, $3, now(), now())
       ON CONFLICT (email) DO UPDATE
          SET email_verified_at = COALESCE(users.email_verified_at, now()),
              activated_at = COALESCE(users.activated_at, now()), updated_at = now()
       RETURNING id`,
      [newId('usr'), email, fullName],
    );
    return user.id;
  }

  /**
   * Marks the user's email as proven (an emailed code or an accepted invitation's code proved it).
   * With `email`, only while that is still the user's unproven address (their identity provider
   * vouches for the address it names, not for whatever the account holds now).
   */
  async markEmailVerified(userId: string, email?: string): Promise<void> {
    await this.db.modify(
      `UPDATE users SET email_verified_at = COALESCE(email_verified_at, now()), updated_at = now()
        WHERE id = $1 AND ($2::varchar IS NULL OR (email = $2 AND email_verified_at IS NULL))`,
      [userId, email ?? null],
    );
  }

  /**
   * Serialises changes to what the user holds (their API keys) without blocking rows that reference
   * the user: FOR NO KEY UPDATE conflicts with itself, not with the FOR KEY SHARE of inserts.
   */
  async lockHoldings(userId: string): Promise<void> {
    await this.db.manager().query('SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE', [userId]);
  }

  // ---- The single invitation create: the invitee's account and pending membership, one statement ----

  /**
   * The invitee's global account, their pending membership and its grants, in one statement:
   * - the account for this email is reused when it exists, else created never-activated and marked
   *   as created by this invitation, the only one that may activate it without an emailed code
   *   (API.md "Email proof"); only then does the invitation's name become the account's (an
   *   organization never renames an account its invitation did not create);
   * - the pending membership is created, or refreshed when an earlier invitation left one; an
   *   active or deactivated member gets no row back (the conditional DO UPDATE), `membershipId`
   *   is then undefined and nothing else is written;
   * - the membership then holds exactly these roles and departments (duplicates ignored): only
   *   the difference is written, and only a refreshed membership (`xmax <> 0`) can hold any to remove;
   * - `member` is the pending member as the member view will read them once this commits (the
   *   grants sorted like memberAssignmentsSql sorts them), so the v2 answer needs no read of its own.
   * All parts read the statement's one snapshot: an account a concurrent invite committed after it
   * was taken is neither inserted (DO NOTHING) nor seen, so the statement runs again with a new one.
   */
  async upsertPendingInvitee<Followed extends object = object>(
    invitee: {
      organizationId: string;
      email: string;
      fullName: string | null;
      invitationId: string;
      roleIds: string[];
      departmentIds: string[];
    },
    followedBy?: StatementPart,
  ): Promise<{ userId: string; membershipId?: string; member?: MemberRow; followed?: Followed }> {
    const roles = [...new Set(invitee.roleIds)];
    const departments = [...new Set(invitee.departmentIds)];
    const parts = followedBy ? [followedBy] : [];
    for (;;) {
      const {
        rows: [row],
      } = await this.db.prepared<MemberRow & { membership_id: string | null } & Followed>(
        withParts(PENDING_INVITEE, parts),
        [
          newId('usr'),
          invitee.email,
          invitee.fullName,
          invitee.invitationId,
          newId('mem'),
          invitee.organizationId,
          roles,
          departments,
          ...partValues(parts),
        ],
      );
      if (!row) continue;
      if (!row.membership_id) return { userId: row.user_id };
      // One row holds both: the member's columns and the part's (named apart), as joinByInvitation's.
      const found = { userId: row.user_id, membershipId: row.membership_id, member: row };
      return followedBy ? { ...found, followed: row } : found;
    }
  }

  /**
   * The accounts of a bulk request's rows, in two statements: existing accounts reused,
   * missing ones created never-activated and marked as created by their row's invitation (API.md
   * "Email proof"; the name only for those). Returns every email's user id, and which of them this
   * call created.
   */
  async upsertInvitees(
    rows: { userId: string; email: string; fullName: string | null; invitationId: string }[],
  ): Promise<{ userIds: Map<string, string>; created: Set<string> }> {
    const manager = this.db.manager();
    const inserted: { id: string }[] = await manager.query(
      `INSERT INTO users (id, email, full_name, created_by_invitation_id)
       SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[])
       ON CONFLICT (email) DO NOTHING RETURNING id`,
      [
        rows.map((r) => r.userId),
        rows.map((r) => r.email),
        rows.map((r) => r.fullName),
        rows.map((r) => r.invitationId),
      ],
    );
    // A new statement, so accounts a concurrent transaction committed meanwhile are visible.
    const all: { id: string; email: string }[] = await manager.query(
      'SELECT id, email FROM users WHERE email = ANY($1::varchar[])',
      [rows.map((r) => r.email)],
    );
    return { userIds: new Map(all.map((u) => [u.email, u.id])), created: new Set(inserted.map((u) => u.id)) };
  }

  /**
   * Deletes accounts this transaction created and nothing refers to yet (a bulk row whose
   * invitation lost the race: a single create rolls its whole transaction back instead).
   */
  async deleteUnused(userIds: string[]): Promise<void> {
    if (userIds.length === 0) return;
    await this.db.modify('DELETE FROM users WHERE id = ANY($1::varchar[])', [userIds]);
  }

  /** The user as `GET /v1/me` shows them. */
  async profile(userId: string): Promise<UserProfileRow> {
    const [user]: UserProfileRow[] = await this.db
      .manager()
      .query(
        'SELECT id, email, full_name, user_name, email_verified_at, created_at FROM users WHERE id = $1',
        [userId],
      );
    return user;
  }
}

/**
 * `upsertPendingInvitee`'s statement ($1 new user id, $2 email, $3 full name, $4 invitation id, $5 new
 * membership id, $6 organization, $7 roles, $8 departments) with the caller's parts, which may read
 * `u` (the account: `id`) and `m` (the pending membership: `id`, `organization_id`; empty for an
 * active member): the invitation create writes the invitation in this one round trip.
 */
const PENDING_INVITEE: PartsHost = {
  name: 'users_upsert_pending_invitee',
  parameters: 8,
  text: (composed) => `WITH new_user AS (
           INSERT INTO users (id, email, full_name, created_by_invitation_id) VALUES ($1, $2, $3, $4)
           ON CONFLICT (email) DO NOTHING RETURNING id, email, full_name, user_name),
         u AS (
           SELECT id, email, full_name, user_name FROM new_user
           UNION ALL SELECT id, email, full_name, user_name FROM users WHERE email = $2),
         m AS (
           INSERT INTO memberships (id, organization_id, user_id, account_state, invited_at)
           SELECT $5, $6, u.id, 'pending_invitation', now() FROM u
           ON CONFLICT (organization_id, user_id) DO UPDATE SET invited_at = now(), updated_at = now()
            WHERE memberships.account_state = 'pending_invitation'
           RETURNING id, organization_id, account_state, invited_at, deactivated_at, (xmax = 0) AS inserted),
         stale_roles AS (
           DELETE FROM membership_roles
            WHERE membership_id IN (SELECT id FROM m WHERE NOT inserted) AND role_id <> ALL($7::varchar[])),
         stale_departments AS (
           DELETE FROM membership_departments
            WHERE membership_id IN (SELECT id FROM m WHERE NOT inserted) AND department_id <> ALL($8::varchar[])),
         new_roles AS (
           INSERT INTO membership_roles (membership_id, role_id)
           SELECT m.id, unnest($7::varchar[]) FROM m ON CONFLICT DO NOTHING),
         new_departments AS (
           INSERT INTO membership_departments (membership_id, department_id)
           SELECT m.id, unnest($8::varchar[]) FROM m ON CONFLICT DO NOTHING)${composed.ctes}
         SELECT u.id AS user_id, m.id AS membership_id, u.full_name, u.email, u.user_name, m.account_state,
                m.organization_id, m.invited_at, m.deactivated_at,
                ARRAY(SELECT unnest($7::varchar[]) ORDER BY 1) AS role_ids,
                ARRAY(SELECT unnest($8::varchar[]) ORDER BY 1) AS department_ids${composed.columns}
           FROM (SELECT * FROM u LIMIT 1) u LEFT JOIN m ON true${composed.joins}`,
};
