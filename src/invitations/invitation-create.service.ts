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
import { userActor } from '../events/actor.js';
import { EventLog } from '../events/event-log.js';
import { MemberRow } from '../users/member-views.js';
import { UsersRepository } from '../users/users.repository.js';
import { StoredTimes } from './bulk/bulk-invitations.repository.js';
import { createdInvitation } from './bulk/bulk-outcomes.js';
import { invitationEvent } from './invitation-events.js';
import { Invitation } from './invitation.entity.js';
import { InvitationGrants, resolveInvitationGrants } from './invitation-grants.js';
import { InvitationRepository } from './invitation.repository.js';

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

/** Who invites: the caller (an API key's or token's user). */
export interface Inviter {
  userId: string;
  apiKeyId?: string | null;
}

/** A new invitation, with its invitee as the member view shows them (the v2 answer) once it commits. */
export interface CreatedInvitation {
  invitation: Invitation;
  invitee: MemberRow;
}

/** A concurrent invite may commit between our failed insert and the read of its id; then we try once more. */
const MAX_ATTEMPTS = 3;

/**
 * Creates an invitation: the invitee's account (new ones pending), their pending membership with
 * the invited roles and departments, the invitation and its `invitation.created` event (whose
 * reaction queues the email), all in one transaction.
 * The database decides the races: the membership upsert finds existing members, and the partial
 * unique index on pending invitations lets exactly one of many concurrent invites through.
 */
@Injectable()
export class InvitationCreateService {
  constructor(
    private readonly db: Db,
    private readonly invitations: InvitationRepository,
    private readonly users: UsersRepository,
    private readonly events: EventLog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(org: OrgScope, inviter: Inviter, input: NewInvitation): Promise<CreatedInvitation> {
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
          this.createWithin(manager, org, inviter, { ...input, email }),
        );
      } catch (error) {
        if (!isUniqueViolation(error, 'uq_invitations_pending_email')) throw error;
        // Read after the rollback: the winner has committed, so its id is visible now.
        const existing = await this.invitations.pendingIdForEmail(org.organizationId, email);
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

  /**
   * Three statements of its own: the preconditions (with the settling of an expired invitation for
   * the email), the invitee's account, membership and grants with the invitation itself (RETURNING
   * what the database set, so nothing is read back), and its event (with the reads its reactions
   * need); then what the reactions write (the email's outbox row, webhook deliveries if any match).
   * When the roles are named, the invitee's statement does not wait for the preconditions: it is
   * sent right behind them, in the same round trip, and whatever they refuse rolls it back with the
   * transaction (its own failure then does not matter: a missing role fails its foreign key). With
   * no roles named it needs the Member role the preconditions read.
   */
  private async createWithin(
    manager: EntityManager,
    org: OrgScope,
    inviter: Inviter,
    input: NewInvitation,
  ): Promise<CreatedInvitation> {
    const organizationId = org.organizationId;
    const { email } = input;
    const roleIds = unique(input.roleIds ?? []);
    const departmentIds = unique(input.departmentIds ?? []);
    const preconditions = this.invitations.settleExpiredAndReadRefs(
      organizationId,
      email,
      roleIds,
      departmentIds,
    );
    const invitation = newInvitation(input, this.config.invitationTtlDays);
    const writeInvitee = (grantedRoleIds: string[]) =>
      this.users.upsertPendingInvitee<StoredTimes>(
        {
          organizationId,
          email,
          fullName: invitation.fullName,
          invitationId: invitation.id,
          roleIds: grantedRoleIds,
          departmentIds,
        },
        this.invitations.newInvitationPart({
          ...invitation,
          roleIds: grantedRoleIds,
          departmentIds,
          invitedBy: inviter.userId,
          emailStatus: invitation.send ? 'queued' : 'not_requested',
        }),
      );
    const sentAhead = roleIds.length > 0 ? writeInvitee(roleIds) : undefined;
    // Handled here so that its failure is never unhandled; it is awaited below either way.
    sentAhead?.catch(() => undefined);
    let grants: InvitationGrants;
    try {
      const { policyAllows, refs } = await preconditions;
      assertInvitePolicyAllows(policyAllows, organizationId, email);
      grants = resolveInvitationGrants(org, roleIds, departmentIds, refs);
    } catch (refusal) {
      // Nothing of this transaction may still be running (or retrying) when it rolls back.
      await sentAhead?.catch(() => undefined);
      throw refusal;
    }
    // The pending membership holds exactly what the latest invitation grants; the invitation is
    // written in the same statement (no invitation for an active member: USER_ALREADY_EXISTS).
    const { userId, membershipId, member, followed } = await (sentAhead ?? writeInvitee(grants.roleIds));
    if (!membershipId || !member || !followed) {
      throw new AppError(ErrorCode.USER_ALREADY_EXISTS, undefined, {
        email,
        organization_id: organizationId,
      });
    }
    const created = createdInvitation(
      organizationId,
      inviter.userId,
      invitation.send,
      {
        ...invitation,
        roleIds: grants.roleIds,
        departmentIds: grants.departmentIds,
        userId,
        membershipId,
      },
      grants.grantsOwner,
      followed,
    );
    await this.events.append(manager, invitationEvent('invitation.created', created, userActor(inviter)));
    return { invitation: created, invitee: member };
  }
}

/** What the invite decides before any statement: the invitation's id and its own fields. */
function newInvitation(input: NewInvitation, defaultTtlDays: number) {
  return {
    id: newId('inv'),
    email: input.email,
    fullName: input.fullName ?? null,
    send: input.sendInvitation ?? true,
    customMessage: input.customMessage || null,
    expiresInDays: input.expiresInDays ?? defaultTtlDays,
  };
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}
