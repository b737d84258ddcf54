import { InviteeRow } from '../users/users.repository.js';
import { Invitation } from './invitation.entity.js';
import { invitationNotFound, notPendingError } from './invitation-status.js';
import { InvitationRepository } from './invitation.repository.js';

type Claims = { invitationId: string; version: number };

/**
 * Opens the transactions that end an invitation by its link (accept, decline): locks the
 * invitation row, so concurrent transitions of one invitation run one after another and each sees
 * the state the previous one left: exactly one of them wins. A token for another version (a
 * resend since) is treated as unknown, exactly like a forged one.
 */
export async function lockPendingByToken(
  invitations: InvitationRepository,
  claims: Claims,
): Promise<Invitation> {
  return pendingOrRefusal(await invitations.lock({ id: claims.invitationId }), claims);
}

/** The same, for accept: the invitee's account is locked with the invitation, in one statement. */
export async function lockPendingWithInviteeByToken(
  invitations: InvitationRepository,
  claims: Claims,
): Promise<{ invitation: Invitation; invitee: InviteeRow }> {
  const locked = await invitations.lockWithInvitee(claims.invitationId);
  if (!locked) throw invitationNotFound();
  pendingOrRefusal(locked.invitation, claims);
  return locked;
}

function pendingOrRefusal(invitation: Invitation | null, claims: Claims): Invitation {
  if (!invitation || invitation.version !== claims.version) throw invitationNotFound();
  const notPending = notPendingError(invitation);
  if (notPending) throw notPending;
  return invitation;
}
