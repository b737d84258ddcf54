import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { PreparedStatement } from '../database/pool-query.js';
import { parameter, StatementPart } from '../database/statement-part.js';
import { Db } from '../database/transactions.js';
import { emailDomain } from '../domains/domain-name.js';
import { invitePolicyAllowsSql } from '../domains/invite-policy.js';
import { InviteeRow } from '../users/users.repository.js';
import { EmailStatus, Invitation, InvitationStatus } from './invitation.entity.js';
import {
  grantedDepartmentIdsSql,
  grantedRoleIdsSql,
  grantsOwnerSql,
  RECORD_GRANTS,
} from './invitation-grants-sql.js';

/** The roles and departments of the organization a create asked for, as found (and locked). */
export interface GrantRefs {
  roles: { id: string; is_owner: boolean }[];
  departmentIds: string[];
}

/** What the single create reads before it writes (settleExpiredAndReadRefs). */
export interface CreatePreconditions {
  /** The invite policy's verdict for the email's domain; null when the organization is gone. */
  policyAllows: boolean | null;
  refs: GrantRefs;
}

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
  /** Null only where no user invited (a test's invitation; an inviter's deletion leaves the same). */
  invitedBy: string | null;
  emailStatus: 'queued' | 'not_requested';
  expiresInDays: number;
}

/** What `acceptedPart` adds to its host statement's row. */
export interface AcceptedColumns {
  accepted_role_ids: string[];
  accepted_department_ids: string[];
  accepted_at: Date;
  accepted_updated_at: Date;
}

/** The locked pending invitation as `acceptedPart` left it (what `settle` would have returned). */
export function acceptedInvitation(locked: Invitation, columns: AcceptedColumns): Invitation {
  return {
    ...locked,
    status: 'accepted',
    roleIds: columns.accepted_role_ids,
    departmentIds: columns.accepted_department_ids,
    grantedRoleIds: columns.accepted_role_ids,
    grantedDepartmentIds: columns.accepted_department_ids,
    acceptedAt: columns.accepted_at,
    updatedAt: columns.accepted_updated_at,
  };
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

  /** Takes a pending invitation (locked by the caller) into a final state; returns it as settled. */
  async settle(id: string, status: SettledStatus): Promise<Invitation> {
    const { rows } = await this.db.prepared<InvitationColumns>(SETTLE[status], [id, status]);
    return toInvitation(rows[0]);
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

  // ---- The single create (InvitationCreateService): its reads and writes, few round trips ----

  /**
   * The create's preconditions in one statement: settles an expired pending invitation for the
   * email (it must never block the new one; the transaction rolls back if a check then fails),
   * and reads the invite policy's verdict and the requested roles (the Member role when none are
   * requested) and departments of the organization, locked FOR KEY SHARE until commit.
   */
  async settleExpiredAndReadRefs(
    organizationId: string,
    email: string,
    roleIds: string[],
    departmentIds: string[],
  ): Promise<CreatePreconditions> {
    const {
      rows: [row],
    } = await this.db.prepared<{
      policy_allows: boolean | null;
      roles: GrantRefs['roles'];
      department_ids: string[];
    }>(CREATE_PRECONDITIONS, [organizationId, email, emailDomain(email), roleIds, departmentIds]);
    return {
      policyAllows: row.policy_allows,
      refs: { roles: row.roles, departmentIds: row.department_ids },
    };
  }

  /**
   * The new pending invitation (version 1), written in the invitee's statement
   * (`UsersRepository.upsertPendingInvitee`): its account and membership are that statement's `u`
   * and `m`, and it returns what the database set (StoredTimes), so nothing is read back.
   */
  newInvitationPart(row: Omit<InvitationRow, 'userId' | 'membershipId' | 'organizationId'>): StatementPart {
    return {
      name: 'new_invitation',
      cte: (first) => {
        const $ = (index: number) => parameter(first, index);
        return `INSERT INTO invitations (id, organization_id, user_id, membership_id, email, full_name, role_ids, department_ids,
                                    status, version, custom_message, invited_by, email_status, issued_at, expires_at)
           SELECT ${$(0)}::varchar, m.organization_id, u.id, m.id, ${$(1)}::varchar, ${$(2)}::varchar, ${$(3)}::varchar[],
                  ${$(4)}::varchar[], 'pending', 1, ${$(5)}::text, ${$(6)}::varchar, ${$(7)}::varchar, now(),
                  now() + make_interval(days => ${$(8)}::int)
             FROM (SELECT id FROM u LIMIT 1) u JOIN m ON true
           RETURNING created_at, updated_at, issued_at, expires_at`;
      },
      columns: ['created_at', 'updated_at', 'issued_at', 'expires_at'],
      values: [
        row.id,
        row.email,
        row.fullName,
        row.roleIds,
        row.departmentIds,
        row.customMessage,
        row.invitedBy,
        row.emailStatus,
        row.expiresInDays,
      ],
    };
  }

  // --- Accepting by link ---------------------------------------------------------------------

  /**
   * `settle(id, 'accepted')` as a part of the statement that activates the membership
   * (`MembershipsRepository.joinByInvitation`): every sub-statement reads the statement's one
   * snapshot, so recording what it grants still sees the membership pending. Its columns are what
   * the accepted invitation's event needs beyond the locked row.
   */
  acceptedPart(id: string): StatementPart {
    return {
      name: 'accepted_invitation',
      cte: (
        first,
      ) => `UPDATE invitations AS i SET status = 'accepted', accepted_at = now(), updated_at = now(), ${RECORD_GRANTS}
        WHERE i.id = $${first}
    RETURNING i.role_ids AS accepted_role_ids, i.department_ids AS accepted_department_ids, i.accepted_at,
              i.updated_at AS accepted_updated_at`,
      columns: ['accepted_role_ids', 'accepted_department_ids', 'accepted_at', 'accepted_updated_at'],
      values: [id],
    };
  }

  /**
   * Locks the invitation and then its invitee's account (FOR UPDATE of both, in that order, as
   * accept took them in two statements), and returns both; null when there is no such invitation.
   */
  async lockWithInvitee(id: string): Promise<{ invitation: Invitation; invitee: InviteeRow } | null> {
    const { rows } = await this.db.prepared<InvitationColumns & InviteeColumns>(LOCK_WITH_INVITEE, [id]);
    const [row] = rows;
    if (!row) return null;
    return {
      invitation: toInvitation(row),
      invitee: {
        id: row.user_id,
        email: row.invitee_email,
        full_name: row.invitee_full_name,
        user_name: row.invitee_user_name,
        created_at: row.invitee_created_at,
        activated_at: row.invitee_activated_at,
        email_verified_at: row.invitee_email_verified_at,
        created_by_invitation_id: row.invitee_created_by_invitation_id,
      },
    };
  }
}

/** An invitation's columns over the alias `i`, with what the entity's virtual columns compute. */
const INVITATION_COLUMNS = `i.id, i.organization_id, i.user_id, i.membership_id, i.email, i.full_name, i.role_ids,
       i.department_ids, ${grantedRoleIdsSql('i')} AS granted_role_ids,
       ${grantedDepartmentIdsSql('i')} AS granted_department_ids, ${grantsOwnerSql('i')} AS grants_owner,
       i.status, i.version, i.custom_message, i.invited_by, i.email_status, i.email_last_error, i.expires_at,
       i.issued_at, i.created_at, i.updated_at, i.accepted_at, i.declined_at, i.revoked_at`;

/** The create's preconditions (settleExpiredAndReadRefs). */
const CREATE_PRECONDITIONS = {
  name: 'invitations_create_preconditions',
  text: `WITH settled AS (
           UPDATE invitations AS i SET status = 'expired', updated_at = now(), ${RECORD_GRANTS}
            WHERE i.organization_id = $1 AND i.email = $2 AND i.status = 'pending' AND i.expires_at <= now()),
         r AS (
           SELECT id, (is_system AND key = 'owner') AS is_owner FROM roles
            WHERE organization_id = $1
              AND (id = ANY($4::varchar[]) OR (cardinality($4::varchar[]) = 0 AND is_system AND key = 'member'))
              FOR KEY SHARE),
         d AS (
           SELECT id FROM departments WHERE organization_id = $1 AND id = ANY($5::varchar[]) FOR KEY SHARE)
         SELECT ${invitePolicyAllowsSql('$1', '$3')} AS policy_allows,
                COALESCE((SELECT json_agg(json_build_object('id', r.id, 'is_owner', r.is_owner)) FROM r), '[]') AS roles,
                ARRAY(SELECT d.id FROM d) AS department_ids`,
};

const LOCK_WITH_INVITEE = {
  name: 'invitations_lock_with_invitee',
  text: `SELECT ${INVITATION_COLUMNS},
              u.email AS invitee_email, u.full_name AS invitee_full_name, u.user_name AS invitee_user_name,
              u.created_at AS invitee_created_at, u.activated_at AS invitee_activated_at,
              u.email_verified_at AS invitee_email_verified_at,
              u.created_by_invitation_id AS invitee_created_by_invitation_id
         FROM invitations i JOIN users u ON u.id = i.user_id
        WHERE i.id = $1
          FOR UPDATE OF i, u`,
};

/** `settle` per final state: one prepared statement each (the column that dates it differs). */
const SETTLE = Object.fromEntries(
  (Object.keys(SETTLED_AT) as SettledStatus[]).map((status) => [
    status,
    {
      name: `invitations_settle_${status}`,
      text: `UPDATE invitations AS i SET status = $2, ${SETTLED_AT[status]} = now(), updated_at = now(), ${RECORD_GRANTS}
        WHERE i.id = $1
    RETURNING ${INVITATION_COLUMNS}`,
    },
  ]),
) as Record<SettledStatus, PreparedStatement>;

interface InvitationColumns {
  id: string;
  organization_id: string;
  user_id: string;
  membership_id: string | null;
  email: string;
  full_name: string | null;
  role_ids: string[];
  department_ids: string[];
  granted_role_ids: string[];
  granted_department_ids: string[];
  grants_owner: boolean;
  status: InvitationStatus;
  version: number;
  custom_message: string | null;
  invited_by: string | null;
  email_status: EmailStatus;
  email_last_error: string | null;
  expires_at: Date;
  issued_at: Date;
  created_at: Date;
  updated_at: Date;
  accepted_at: Date | null;
  declined_at: Date | null;
  revoked_at: Date | null;
}

interface InviteeColumns {
  invitee_email: string;
  invitee_full_name: string | null;
  invitee_user_name: string | null;
  invitee_created_at: Date;
  invitee_activated_at: Date | null;
  invitee_email_verified_at: Date | null;
  invitee_created_by_invitation_id: string | null;
}

/** The entity of a row selected or returned with INVITATION_COLUMNS (what TypeORM would load). */
function toInvitation(row: InvitationColumns): Invitation {
  return {
    id: row.id,
    organizationId: row.organization_id,
    userId: row.user_id,
    membershipId: row.membership_id,
    email: row.email,
    fullName: row.full_name,
    roleIds: row.role_ids,
    departmentIds: row.department_ids,
    grantedRoleIds: row.granted_role_ids,
    grantedDepartmentIds: row.granted_department_ids,
    grantsOwner: row.grants_owner,
    status: row.status,
    version: row.version,
    customMessage: row.custom_message,
    invitedBy: row.invited_by,
    emailStatus: row.email_status,
    emailLastError: row.email_last_error,
    expiresAt: row.expires_at,
    issuedAt: row.issued_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    acceptedAt: row.accepted_at,
    declinedAt: row.declined_at,
    revokedAt: row.revoked_at,
  };
}
