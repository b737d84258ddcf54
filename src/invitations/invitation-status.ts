import { AppError } from '../common/errors/app-error.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { Invitation, INVITATION_STATUSES, InvitationStatus } from './invitation.entity.js';

/** The same answer for a missing invitation, another tenant's, and every wrong or outdated token. */
export const INVITATION_NOT_FOUND_MESSAGE = 'Invitation not found.';

export function invitationNotFound(): AppError {
  return new AppError(ErrorCode.INVITATION_NOT_FOUND, INVITATION_NOT_FOUND_MESSAGE);
}

/** `expired` is derived on read: a row still stored as `pending` whose expiry has passed is expired. */
export function effectiveStatus(
  invitation: Pick<Invitation, 'status' | 'expiresAt'>,
  now = new Date(),
): InvitationStatus {
  return invitation.status === 'pending' && invitation.expiresAt.getTime() <= now.getTime()
    ? 'expired'
    : invitation.status;
}

/** `effectiveStatus` as an SQL expression over the invitations alias, for reads that return it. */
export function effectiveStatusSql(alias: string): string {
  return `CASE WHEN ${alias}.status = 'pending' AND ${alias}.expires_at <= now() THEN 'expired' ELSE ${alias}.status END`;
}

/**
 * A WHERE condition over the invitations alias matching `effectiveStatus`: fixed text per status
 * (the status is one of INVITATION_STATUSES, written as a literal), so each is its own prepared statement.
 */
export function effectiveStatusCondition(alias: string, status: InvitationStatus): string {
  if (status === 'expired')
    return `(${alias}.status = 'expired' OR (${alias}.status = 'pending' AND ${alias}.expires_at <= now()))`;
  if (status === 'pending') return `(${alias}.status = 'pending' AND ${alias}.expires_at > now())`;
  if (!INVITATION_STATUSES.includes(status)) throw new Error(`not an invitation status: ${String(status)}`);
  return `${alias}.status = '${status}'`;
}

/**
 * The error for acting on an invitation that is no longer pending (accept, decline, revoke), or
 * undefined when it is pending.
 */
export function notPendingError(
  invitation: Pick<Invitation, 'id' | 'status' | 'expiresAt'>,
): AppError | undefined {
  const details = { invitation_id: invitation.id };
  switch (effectiveStatus(invitation)) {
    case 'pending':
      return undefined;
    case 'accepted':
      return new AppError(ErrorCode.INVITATION_ALREADY_ACCEPTED, undefined, details);
    case 'declined':
      return new AppError(ErrorCode.INVITATION_DECLINED, undefined, details);
    case 'revoked':
      return new AppError(ErrorCode.INVITATION_REVOKED, undefined, details);
    case 'expired':
      return new AppError(ErrorCode.INVITATION_EXPIRED, undefined, details);
  }
}
