import { Injectable } from '@nestjs/common';
import { VerifiedUsers } from '../common/auth/oidc/verified-users.js';
import { newId } from '../common/ids/ids.js';
import { Db } from '../database/transactions.js';

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

/** A user's own fields, as `GET /v1/me` shows them. */
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

  /**
   * The global account for this email: reused when it exists, else created never-activated and
   * marked as created by this invitation, the only one that may activate it without an emailed
   * code (API.md "Email proof"). Only then does the invitation's name become the account's: an
   * organization never renames an account its invitation did not create.
   */
  async upsertInvitee(email: string, fullName: string | null, invitationId: string): Promise<string> {
    const manager = this.db.manager();
    const inserted: { id: string }[] = await manager.query(
      `INSERT INTO users (id, email, full_name, created_by_invitation_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (email) DO NOTHING RETURNING id`,
      [newId('usr'), email, fullName, invitationId],
    );
    if (inserted.length > 0) return inserted[0].id;
    const [user]: { id: string }[] = await manager.query('SELECT id FROM users WHERE email = $1', [email]);
    return user.id;
  }

  async lockInvitee(userId: string): Promise<InviteeRow> {
    const [row]: InviteeRow[] = await this.db.manager().query(
      `SELECT id, email, full_name, user_name, created_at, activated_at, email_verified_at, created_by_invitation_id
         FROM users WHERE id = $1 FOR UPDATE`,
      [userId],
    );
    return row;
  }

  /** Marks the account active; `fullName`, when given, becomes its name (the accepting person's own). */
  async activate(userId: string, fullName?: string | null): Promise<void> {
    if (fullName === undefined) {
      await this.db.modify('UPDATE users SET activated_at = COALESCE(activated_at, now()) WHERE id = $1', [
        userId,
      ]);
      return;
    }
    await this.db.modify(
      `UPDATE users SET activated_at = COALESCE(activated_at, now()), full_name = COALESCE($2, full_name),
              updated_at = now() WHERE id = $1`,
      [userId, fullName],
    );
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

  /**
   * `upsertInvitee` for many (a bulk request's rows), in two statements: existing accounts reused,
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
