import { AppError } from '../../common/errors/app-error.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { InvitationResponseDto } from '../dto/invitation-response.dto.js';
import { Invitation } from '../invitation.entity.js';
import { InvitationInsert, StoredTimes } from './bulk-invitations.repository.js';
import { InvitationBulkResponseDto, InvitationBulkResultDto } from './dto/invitation-bulk-response.dto.js';

/* What each row of a bulk request ends as: its invitation, or the error a single create would give. */

/** Errors decided by the email alone, so a repeated email gets them too. */
const EMAIL_REFUSALS: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.USER_ALREADY_EXISTS,
  ErrorCode.INVITATION_ALREADY_PENDING,
  ErrorCode.EMAIL_DOMAIN_NOT_ALLOWED,
]);

/** Each row's outcome while the request is worked through. */
/** A created row holds its invitation as the response (and its event) show it, rendered once. */
export type Outcomes = Map<number, InvitationResponseDto | AppError>;

/**
 * A later row with an email an earlier row had: what a single create sent after the first would
 * get. The first's invitation is pending (INVITATION_ALREADY_PENDING), or, when the email itself
 * was refused (a member, a pending invitation, a domain outside the policy), the same refusal.
 */
export function repeatError(
  organizationId: string,
  first: InvitationResponseDto | AppError | undefined,
  firstIndex: number,
  email: string,
): AppError {
  if (first instanceof AppError && EMAIL_REFUSALS.has(first.code)) {
    return new AppError(first.code, first.message, { ...first.details, duplicate_of_index: firstIndex });
  }
  return new AppError(ErrorCode.INVITATION_ALREADY_PENDING, undefined, {
    invitation_id: first && !(first instanceof AppError) ? first.invitation_id : null,
    email,
    organization_id: organizationId,
    duplicate_of_index: firstIndex,
  });
}

/** The single create's 409s: a member (USER_ALREADY_EXISTS) before a pending invitation. */
export function takenError(
  organizationId: string,
  email: string,
  accountState: string | null,
  pendingInvitationId: string | null,
  pending = false,
): AppError {
  if (!pending && (accountState === 'active' || accountState === 'deactivated')) {
    return new AppError(ErrorCode.USER_ALREADY_EXISTS, undefined, {
      email,
      organization_id: organizationId,
    });
  }
  return new AppError(ErrorCode.INVITATION_ALREADY_PENDING, undefined, {
    invitation_id: pendingInvitationId,
    email,
    organization_id: organizationId,
  });
}

export function bulkResponse(count: number, outcomes: Outcomes): InvitationBulkResponseDto {
  const results: InvitationBulkResultDto[] = [];
  let created = 0;
  for (let index = 0; index < count; index++) {
    const outcome = outcomes.get(index);
    if (outcome && !(outcome instanceof AppError)) {
      created++;
      results.push({ index, status: 'created', invitation: outcome });
    } else {
      // Every row has an outcome; none would be a bug, reported rather than hidden.
      const error = outcome ?? new AppError(ErrorCode.INTERNAL_ERROR);
      results.push({
        index,
        status: 'error',
        error: { code: error.code, message: error.message, details: error.details },
      });
    }
  }
  return { created, failed: count - created, results };
}

/**
 * A new invitation as the entity would read it back: what was inserted, the timestamps the
 * database set, and its grants, which are exactly what was inserted (replaceGrants made the pending
 * membership hold them, in the invited order). Saves reading 1000 rows back with their subqueries.
 */
export function createdInvitation(
  organizationId: string,
  inviterUserId: string,
  send: boolean,
  row: InvitationInsert,
  grantsOwner: boolean,
  stored: StoredTimes,
): Invitation {
  return Object.assign(new Invitation(), {
    id: row.id,
    organizationId,
    userId: row.userId,
    membershipId: row.membershipId,
    email: row.email,
    fullName: row.fullName,
    roleIds: row.roleIds,
    departmentIds: row.departmentIds,
    grantedRoleIds: row.roleIds,
    grantedDepartmentIds: row.departmentIds,
    grantsOwner,
    status: 'pending',
    version: 1,
    customMessage: row.customMessage,
    invitedBy: inviterUserId,
    emailStatus: send ? 'queued' : 'not_requested',
    emailLastError: null,
    expiresAt: stored.expires_at,
    issuedAt: stored.issued_at,
    createdAt: stored.created_at,
    updatedAt: stored.updated_at,
    acceptedAt: null,
    declinedAt: null,
    revokedAt: null,
  } satisfies Omit<Invitation, 'organization' | 'user' | 'membership' | 'inviter'>);
}
