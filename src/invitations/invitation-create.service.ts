import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { OrgScope } from '../common/auth/request-context.js';
import { normalizeEmail } from '../common/email/email-address.js';
import { AppError } from '../common/errors/app-error.js';
import { isUniqueViolation } from '../common/errors/database-errors.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { newId } from '../common/ids/ids.js';
import { AppConfig } from '../config/app-config.js';
import { assertInvitePolicyAllows } from '../domains/invite-policy.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Db } from '../database/transactions.js';
import { replaceAssignments } from '../users/membership-assignments.js';
import { Invitation } from './invitation.entity.js';
import { resolveInvitationGrants, RoleField } from './invitation-grants.js';
import { RECORD_GRANTS } from './invitation-grants-sql.js';
import { InvitationOutbox } from './invitation-outbox.js';

/** What every create route asks for, in the service's terms. */
export interface NewInvitation {
  email: string;
  fullName?: string | null;
  roleIds?: string[] | null;
  departmentIds?: string[] | null;
  sendInvitation?: boolean | null;
  customMessage?: string | null;
  expiresInDays?: number | null;
}

export interface CreateOptions {
  /** Seed 000 documents its own message for USER_ALREADY_EXISTS. */
  userExistsMessage?: string;
  roleField?: RoleField;
}

/** A concurrent invite may commit between our failed insert and the read of its id; then we try once more. */
const MAX_ATTEMPTS = 3;

/**
 * Creates an invitation: the invitee's account (new ones pending), their pending membership with
 * the invited roles and departments, the invitation and its outbox email, all in one transaction.
 * The database decides the races: the membership upsert finds existing members, and the partial
 * unique index on pending invitations lets exactly one of many concurrent invites through.
 */
@Injectable()
export class InvitationCreateService {
  constructor(
    private readonly db: Db,
    private readonly outbox: InvitationOutbox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(
    org: OrgScope,
    inviterUserId: string,
    input: NewInvitation,
    options: CreateOptions = {},
  ): Promise<Invitation> {
    // The DTOs normalised it already; done again here for callers without one (bulk rows, OIDC).
    const normalized = normalizeEmail(input.email);
    if (!normalized.ok)
      throw AppError.validation([{ loc: ['body', 'email'], msg: normalized.reason, type: 'is_email' }]);
    const { email } = normalized;
    for (let attempt = 1; ; attempt++) {
      try {
        // Db: inside an Idempotency-Key request this is a savepoint of its transaction, on its
        // connection; a transaction of its own would need a second connection per request and
        // starve the pool under concurrent keyed requests.
        return await this.db.transaction((manager) =>
          this.createWithin(manager, org, inviterUserId, { ...input, email }, options),
        );
      } catch (error) {
        if (!isUniqueViolation(error, 'uq_invitations_pending_email')) throw error;
        // Read after the rollback: the winner has committed, so its id is visible now.
        const existing = await this.pendingInvitationId(org.organizationId, email);
        if (existing || attempt >= MAX_ATTEMPTS) {
          throw new AppError(ErrorCode.INVITATION_ALREADY_PENDING, undefined, {
            invitation_id: existing,
            email,
            organization_id: org.organizationId,
          });
        }
      }
    }
  }

  private async createWithin(
    manager: EntityManager,
    org: OrgScope,
    inviterUserId: string,
    input: NewInvitation,
    options: CreateOptions,
  ): Promise<Invitation> {
    const organizationId = org.organizationId;
    const { email } = input;
    await assertInvitePolicyAllows(manager, organizationId, email);
    const grants = await resolveInvitationGrants(
      manager,
      org,
      unique(input.roleIds ?? []),
      unique(input.departmentIds ?? []),
      options.roleField,
    );

    // An expired invitation must never block a new one: settle it into its stored final state.
    await manager.query(
      `UPDATE invitations AS i SET status = 'expired', updated_at = now(), ${RECORD_GRANTS}
        WHERE i.organization_id = $1 AND i.email = $2 AND i.status = 'pending' AND i.expires_at <= now()`,
      [organizationId, email],
    );

    const invitationId = newId('inv');
    const userId = await this.upsertInvitee(manager, email, input.fullName ?? null, invitationId);
    const membershipId = await this.upsertPendingMembership(manager, organizationId, userId);
    if (!membershipId) {
      throw new AppError(ErrorCode.USER_ALREADY_EXISTS, options.userExistsMessage, {
        email,
        organization_id: organizationId,
      });
    }

    const send = input.sendInvitation ?? true;
    await manager.query(
      `INSERT INTO invitations (id, organization_id, user_id, membership_id, email, full_name, role_ids, department_ids,
                                status, version, custom_message, invited_by, email_status, issued_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 1, $9, $10, $11, now(), now() + make_interval(days => $12))`,
      [
        invitationId,
        organizationId,
        userId,
        membershipId,
        email,
        input.fullName ?? null,
        grants.roleIds,
        grants.departmentIds,
        input.customMessage || null,
        inviterUserId,
        send ? 'queued' : 'not_requested',
        input.expiresInDays ?? this.config.invitationTtlDays,
      ],
    );
    // The pending membership holds exactly what the latest invitation grants.
    await replaceAssignments(manager, membershipId, grants.roleIds, grants.departmentIds);
    if (send) await this.outbox.queue(manager, invitationId, 1);
    return manager.findOneByOrFail(Invitation, { id: invitationId });
  }

  /**
   * The global account for this email: reused when it exists, else created never-activated and
   * marked as created by this invitation, the only one that may activate it without an emailed
   * code (API.md "Email proof"). Only then does the invitation's name become the account's: an
   * organization never renames an account its invitation did not create.
   */
  private async upsertInvitee(
    manager: EntityManager,
    email: string,
    fullName: string | null,
    invitationId: string,
  ): Promise<string> {
    const inserted: { id: string }[] = await manager.query(
      `INSERT INTO users (id, email, full_name, created_by_invitation_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (email) DO NOTHING RETURNING id`,
      [newId('usr'), email, fullName, invitationId],
    );
    if (inserted.length > 0) return inserted[0].id;
    const [user]: { id: string }[] = await manager.query('SELECT id FROM users WHERE email = $1', [email]);
    return user.id;
  }

  /**
   * The pending membership (created, or refreshed when an earlier invitation left one). Returns
   * undefined when the user is already an active or deactivated member: the conditional DO UPDATE
   * then returns no row.
   */
  private async upsertPendingMembership(
    manager: EntityManager,
    organizationId: string,
    userId: string,
  ): Promise<string | undefined> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO memberships (id, organization_id, user_id, account_state, invited_at)
       VALUES ($1, $2, $3, 'pending_invitation', now())
       ON CONFLICT (organization_id, user_id) DO UPDATE SET invited_at = now(), updated_at = now()
        WHERE memberships.account_state = 'pending_invitation'
       RETURNING id`,
      [newId('mem'), organizationId, userId],
    );
    return rows[0]?.id;
  }

  private async pendingInvitationId(organizationId: string, email: string): Promise<string | null> {
    const rows: { id: string }[] = await this.db
      .manager()
      .query(`SELECT id FROM invitations WHERE organization_id = $1 AND email = $2 AND status = 'pending'`, [
        organizationId,
        email,
      ]);
    return rows[0]?.id ?? null;
  }
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}
