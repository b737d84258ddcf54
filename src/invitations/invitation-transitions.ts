import { Invitation } from './invitation.entity.js';
import { invitationNotFound, notPendingError } from './invitation-status.js';
import { InvitationRepository } from './invitation.repository.js';

/**
 * Opens the transactions that end an invitation by its link (accept, decline): locks the
 * invitation row, so concurrent transitions of one invitation run one after another and each sees
 * the state the previous one left: exactly one of them wins. A token for another version (a
 * resend since) is treated as unknown, exactly like a forged one.
 */
export async function lockPendingByToken(
  invitations: InvitationRepository,
  claims: { invitationId: string; version: number },
): Promise<Invitation> {
  const invitation = await invitations.lock({ id: claims.invitationId });
  if (!invitation || invitation.version !== claims.version) throw invitationNotFound();
  const notPending = notPendingError(invitation);
  if (notPending) throw notPending;
  return invitation;
}
