import { Injectable } from '@nestjs/common';
import { Db } from '../../database/transactions.js';
import { RECORD_GRANTS } from '../invitation-grants-sql.js';
import { RefCatalog } from './bulk-rows.js';

/** One invitation to insert, with the account and membership it was matched to. */
export interface InvitationInsert {
  id: string;
  userId: string;
  membershipId: string;
  email: string;
  fullName: string | null;
  roleIds: string[];
  departmentIds: string[];
  customMessage: string | null;
  expiresInDays: number;
}

/** The columns the database fills in for a new invitation. */
export interface StoredTimes {
  created_at: Date;
  updated_at: Date;
  issued_at: Date;
  expires_at: Date;
}

/** What already stands in the way of an email: an active or deactivated membership, or a pending invitation. */
export interface ExistingInvitee {
  email: string;
  accountState: string | null;
  pendingInvitationId: string | null;
}

/**
 * The set-based writes of a bulk invite: every method is one statement whatever the number of
 * rows (arrays passed as single parameters, expanded with unnest or jsonb_to_recordset), so a
 * request of 1000 rows costs as many round trips as one of 10. Each runs in the caller's open
 * transaction (Db). Rows are passed sorted by email, so two overlapping bulk requests take their
 * unique-index locks in the same order and cannot deadlock.
 */
@Injectable()
export class BulkInvitationsRepository {
  constructor(private readonly db: Db) {}

  /**
   * The organization's roles and departments the rows name (by ID, or by lowercased name), and its
   * Member role; locked FOR KEY SHARE, like the single create, so none is deleted before commit.
   */
  async references(
    organizationId: string,
    keys: { roleIds: string[]; roleNames: string[]; departmentIds: string[]; departmentNames: string[] },
  ): Promise<RefCatalog> {
    const manager = this.db.manager();
    const roles: { id: string; name: string; is_owner: boolean; is_member: boolean }[] = await manager.query(
      `SELECT id, name, (is_system AND key = 'owner') AS is_owner, (is_system AND key = 'member') AS is_member
         FROM roles
        WHERE organization_id = $1
          AND (id = ANY($2::varchar[]) OR lower(name) = ANY($3::text[]) OR (is_system AND key = 'member'))
          FOR KEY SHARE`,
      [organizationId, keys.roleIds, keys.roleNames],
    );
    const departments: { id: string; name: string }[] = await manager.query(
      `SELECT id, name FROM departments
        WHERE organization_id = $1 AND (id = ANY($2::varchar[]) OR lower(name) = ANY($3::text[]))
          FOR KEY SHARE`,
      [organizationId, keys.departmentIds, keys.departmentNames],
    );
    return {
      roles: roles.map((r) => ({ id: r.id, name: r.name, isOwner: r.is_owner, isMember: r.is_member })),
      departments,
    };
  }

  /** `invite_policy` (API.md "Domains"): undefined when any email may be invited, else the verified domains. */
  async invitableDomains(organizationId: string): Promise<Set<string> | undefined> {
    const [row]: { open: boolean; domains: string[] }[] = await this.db.manager().query(
      `SELECT o.invite_policy = 'any' AS open,
              ARRAY(SELECT d.domain FROM organization_domains d
                     WHERE d.organization_id = o.id AND d.status = 'verified') AS domains
         FROM organizations o WHERE o.id = $1`,
      [organizationId],
    );
    return row?.open ? undefined : new Set(row?.domains ?? []);
  }

  /** An expired invitation must never block a new one: settle those of these emails into their stored final state. */
  async settleExpired(organizationId: string, emails: string[]): Promise<void> {
    await this.db.manager().query(
      `UPDATE invitations AS i SET status = 'expired', updated_at = now(), ${RECORD_GRANTS}
        WHERE i.organization_id = $1 AND i.email = ANY($2::varchar[]) AND i.status = 'pending'
          AND i.expires_at <= now()`,
      [organizationId, emails],
    );
  }

  /**
   * The emails already a member (active or deactivated) or with a pending invitation. A first
   * answer only, for the errors' details: the membership upsert and the pending index decide.
   */
  async existingInvitees(organizationId: string, emails: string[]): Promise<ExistingInvitee[]> {
    const rows: { email: string; account_state: string | null; pending_invitation_id: string | null }[] =
      await this.db.manager().query(
        `SELECT e.email, m.account_state, i.id AS pending_invitation_id
           FROM unnest($2::varchar[]) AS e(email)
           LEFT JOIN users u ON u.email = e.email
           LEFT JOIN memberships m ON m.organization_id = $1 AND m.user_id = u.id
           LEFT JOIN invitations i ON i.organization_id = $1 AND i.email = e.email AND i.status = 'pending'
          WHERE m.account_state IN ('active', 'deactivated') OR i.id IS NOT NULL`,
        [organizationId, emails],
      );
    return rows.map((r) => ({
      email: r.email,
      accountState: r.account_state,
      pendingInvitationId: r.pending_invitation_id,
    }));
  }

  /**
   * The invitations. The partial unique index on pending invitations decides races: a row another
   * transaction won is skipped (DO NOTHING) and missing from the result. Returns, per inserted id,
   * what the database set (the timestamps), so the rows need not be read back.
   */
  async insertInvitations(
    organizationId: string,
    inviterUserId: string,
    send: boolean,
    rows: InvitationInsert[],
  ): Promise<Map<string, StoredTimes>> {
    const returned: ({ id: string } & StoredTimes)[] = await this.db.manager().query(
      `INSERT INTO invitations (id, organization_id, user_id, membership_id, email, full_name, role_ids, department_ids,
                                status, version, custom_message, invited_by, email_status, issued_at, expires_at)
       SELECT r.id, $1, r.user_id, r.membership_id, r.email, r.full_name, r.role_ids, r.department_ids,
              'pending', 1, r.custom_message, $2, $3, now(), now() + make_interval(days => r.expires_in_days)
         FROM jsonb_to_recordset($4::jsonb) AS r(id varchar, user_id varchar, membership_id varchar, email varchar,
              full_name varchar, role_ids varchar[], department_ids varchar[], custom_message text, expires_in_days int)
       ON CONFLICT (organization_id, email) WHERE status = 'pending' DO NOTHING
       RETURNING id, created_at, updated_at, issued_at, expires_at`,
      [
        organizationId,
        inviterUserId,
        send ? 'queued' : 'not_requested',
        JSON.stringify(
          rows.map((r) => ({
            id: r.id,
            user_id: r.userId,
            membership_id: r.membershipId,
            email: r.email,
            full_name: r.fullName,
            role_ids: r.roleIds,
            department_ids: r.departmentIds,
            custom_message: r.customMessage,
            expires_in_days: r.expiresInDays,
          })),
        ),
      ],
    );
    return new Map(returned.map(({ id, ...times }) => [id, times]));
  }
}
