import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { Db } from '../database/transactions.js';
import { Invitation } from './invitation.entity.js';
import { grantsOwnerSql, RECORD_GRANTS } from './invitation-grants-sql.js';

/** A new invitation's row, as the create path decided it. */
export interface InvitationRow {
  id: string;
  organizationId: string;
  userId: string;
  membershipId: string;
  email: string;
  fullName: string | null;
  roleIds: string[];
  departmentIds: string[];
  customMessage: string | null;
  invitedBy: string;
  emailStatus: 'queued' | 'not_requested';
  expiresInDays: number;
}

/** The final states an invitation is settled into by the one who ends it, with the column that dates it. */
const SETTLED_AT = { accepted: 'accepted_at', declined: 'declined_at', revoked: 'revoked_at' } as const;
export type SettledStatus = keyof typeof SETTLED_AT;

/**
 * The `invitations` table's one writer (the hot reads are in InvitationReadRepository, the link
 * lookup in InvitationQueriesService): the invitations module's changes, the email's outcome recorded by the mail worker, and the
 * sweeper's settling of expired invitations. Each runs in the caller's transaction (through `Db`,
 * or the `manager` passed), so it commits with what the caller records beside it. Statements that
 * take an invitation out of `pending` record what it granted (`RECORD_GRANTS`).
 */
@Injectable()
export class InvitationRepository {
  constructor(private readonly db: Db) {}

  /**
   * Locks the invitation before its outbox row is changed: resend, revoke and accept lock the
   * invitation and then its outbox rows, and the opposite order deadlocks with them
   * (test/mail-lock-order.e2e-spec.ts).
   */
  async lockForEmail(manager: EntityManager, invitationId: string): Promise<void> {
    await manager.query('SELECT 1 FROM invitations WHERE id = $1 FOR NO KEY UPDATE', [invitationId]);
  }

  /** This version's email went out (nothing changes once a resend has moved to a newer version). */
  async recordEmailSent(manager: EntityManager, invitationId: string, version: number): Promise<void> {
    await manager.query(
      `UPDATE invitations SET email_status = 'sent', email_last_error = NULL WHERE id = $1 AND version = $2`,
      [invitationId, version],
    );
  }

  /** An attempt of this version's email failed; `gaveUp`: no more attempts (email_status 'failed'). */
  async recordEmailFailure(
    manager: EntityManager,
    invitationId: string,
    version: number,
    error: string,
    gaveUp: boolean,
  ): Promise<void> {
    await manager.query(
      `UPDATE invitations
          SET email_last_error = $3, email_status = CASE WHEN $4 THEN 'failed' ELSE email_status END
        WHERE id = $1 AND version = $2`,
      [invitationId, version, error, gaveUp],
    );
  }

  /**
   * Stores up to `limit` pending invitations past their expiry as `expired`, in one statement, and
   * returns them (after the change). SKIP LOCKED passes over rows another transaction holds (a
   * concurrent accept, or another sweeper), and the `status = 'pending'` condition, checked again on
   * the locked row, settles each invitation exactly once whatever the number of sweepers.
   */
  async expireDue(manager: EntityManager, limit: number): Promise<Invitation[]> {
    const [rows]: [{ id: string }[], number] = await manager.query(
      `UPDATE invitations SET status = 'expired', updated_at = now()
        WHERE id IN (SELECT id FROM invitations
                      WHERE status = 'pending' AND expires_at <= now()
                      ORDER BY expires_at
                      LIMIT $1
                        FOR UPDATE SKIP LOCKED)
          AND status = 'pending'
    RETURNING id`,
      [limit],
    );
    if (rows.length === 0) return [];
    return manager.find(Invitation, { where: { id: In(rows.map((row) => row.id)) }, order: { id: 'ASC' } });
  }

  findById(id: string): Promise<Invitation> {
    return this.db.manager().findOneByOrFail(Invitation, { id });
  }

  /** The current version of each invitation (its email's Message-ID and link are per version). */
  async versionsOf(ids: readonly string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows: { id: string; version: number }[] = await this.db
      .manager()
      .query('SELECT id, version FROM invitations WHERE id = ANY($1::varchar[])', [ids]);
    return new Map(rows.map((row) => [row.id, row.version]));
  }

  /** Locks the invitation (FOR UPDATE) and returns it, or null when there is none. */
  lock(where: { id: string; organizationId?: string }): Promise<Invitation | null> {
    return this.db.manager().findOne(Invitation, { where, lock: { mode: 'pessimistic_write' } });
  }

  /** Locks the pending invitation of a member, if any (before the membership: the order transitions take). */
  async lockPendingOfMember(organizationId: string, userId: string): Promise<void> {
    await this.db
      .manager()
      .query(
        `SELECT id FROM invitations WHERE organization_id = $1 AND user_id = $2 AND status = 'pending' FOR UPDATE`,
        [organizationId, userId],
      );
  }

  /** An expired invitation must never block a new one: it is settled into its stored final state. */
  async settleExpired(organizationId: string, email: string): Promise<void> {
    await this.db.modify(
      `UPDATE invitations AS i SET status = 'expired', updated_at = now(), ${RECORD_GRANTS}
        WHERE i.organization_id = $1 AND i.email = $2 AND i.status = 'pending' AND i.expires_at <= now()`,
      [organizationId, email],
    );
  }

  async insert(row: InvitationRow): Promise<void> {
    await this.db.manager().query(
      `INSERT INTO invitations (id, organization_id, user_id, membership_id, email, full_name, role_ids, department_ids,
                                status, version, custom_message, invited_by, email_status, issued_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 1, $9, $10, $11, now(), now() + make_interval(days => $12))`,
      [
        row.id,
        row.organizationId,
        row.userId,
        row.membershipId,
        row.email,
        row.fullName,
        row.roleIds,
        row.departmentIds,
        row.customMessage,
        row.invitedBy,
        row.emailStatus,
        row.expiresInDays,
      ],
    );
  }

  async pendingIdForEmail(organizationId: string, email: string): Promise<string | null> {
    const rows: { id: string }[] = await this.db
      .manager()
      .query(`SELECT id FROM invitations WHERE organization_id = $1 AND email = $2 AND status = 'pending'`, [
        organizationId,
        email,
      ]);
    return rows[0]?.id ?? null;
  }

  /** Another pending invitation for the same email as this one. */
  async otherPendingId(organizationId: string, invitationId: string): Promise<string | null> {
    const rows: { id: string }[] = await this.db.manager().query(
      `SELECT other.id FROM invitations other
         JOIN invitations i ON i.organization_id = other.organization_id AND i.email = other.email
        WHERE i.id = $1 AND i.organization_id = $2 AND other.status = 'pending' AND other.id <> i.id`,
      [invitationId, organizationId],
    );
    return rows[0]?.id ?? null;
  }

  /**
   * A new version (the old link dies), a new expiry and the email queued again, in one conditional
   * UPDATE: only a pending or expired invitation, and only once the cooldown since the last email
   * has passed. Returns the resent invitation's membership, or undefined when nothing changed.
   */
  async resend(
    organizationId: string,
    invitationId: string,
    cooldownSeconds: number,
  ): Promise<{ id: string; membership_id: string | null } | undefined> {
    const { rows } = await this.db.modify<{ id: string; membership_id: string | null }>(
      `UPDATE invitations
          SET version = version + 1, status = 'pending', issued_at = now(),
              expires_at = now() + LEAST(GREATEST(expires_at - issued_at, interval '1 day'), interval '30 days'),
              email_status = 'queued', email_last_error = NULL, updated_at = now()
        WHERE id = $1 AND organization_id = $2 AND status IN ('pending', 'expired')
          AND (email_status = 'not_requested' OR issued_at <= now() - make_interval(secs => $3))
    RETURNING id, membership_id`,
      [invitationId, organizationId, cooldownSeconds],
    );
    return rows[0];
  }

  /** Seconds until the resend cooldown of an invitation issued at `issuedAt` has passed (at least 1). */
  async cooldownLeft(issuedAt: Date, cooldownSeconds: number): Promise<number> {
    const [{ seconds }]: { seconds: string }[] = await this.db
      .manager()
      .query(
        `SELECT GREATEST(1, CEIL(EXTRACT(EPOCH FROM ($1::timestamptz + make_interval(secs => $2) - now())))) AS seconds`,
        [issuedAt, cooldownSeconds],
      );
    return Number(seconds);
  }

  /** Takes a pending invitation (locked by the caller) into a final state. */
  async settle(id: string, status: SettledStatus): Promise<void> {
    await this.db.modify(
      `UPDATE invitations AS i SET status = $2, ${SETTLED_AT[status]} = now(), updated_at = now(), ${RECORD_GRANTS}
        WHERE i.id = $1`,
      [id, status],
    );
  }

  /** A removed member's pending invitation dies with the membership. Returns the invitations revoked. */
  async revokePendingOfMember(organizationId: string, userId: string): Promise<Invitation[]> {
    const { rows } = await this.db.modify<{ id: string }>(
      `UPDATE invitations AS i SET status = 'revoked', revoked_at = now(), updated_at = now(), ${RECORD_GRANTS}
        WHERE i.organization_id = $1 AND i.user_id = $2 AND i.status = 'pending'
       RETURNING i.id`,
      [organizationId, userId],
    );
    return Promise.all(rows.map((row) => this.findById(row.id)));
  }

  /** The live pending invitations of these members whose email was not requested (links shared by hand). */
  sharedByHand(
    organizationId: string,
    userIds: string[],
  ): Promise<{ user_id: string; id: string; version: number; grants_owner: boolean }[]> {
    return this.db.manager().query(
      `SELECT i.user_id, i.id, i.version, ${grantsOwnerSql('i')} AS grants_owner
         FROM invitations i
        WHERE i.organization_id = $1 AND i.user_id = ANY($2::varchar[])
          AND i.status = 'pending' AND i.email_status = 'not_requested' AND i.expires_at > now()`,
      [organizationId, userIds],
    );
  }
}
