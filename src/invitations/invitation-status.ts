import { AppError } from '../common/errors/app-error.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { Invitation, InvitationStatus } from './invitation.entity.js';

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

/**
 * A WHERE condition over the invitations alias matching `effectiveStatus`; the stored-status case
 * binds the query builder parameter `:status`.
 */
export function effectiveStatusCondition(alias: string, status: InvitationStatus): string {
  if (status === 'expired')
    return `(${alias}.status = 'expired' OR (${alias}.status = 'pending' AND ${alias}.expires_at <= now()))`;
  if (status === 'pending') return `(${alias}.status = 'pending' AND ${alias}.expires_at > now())`;
  return `${alias}.status = :status`;
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
