import { EntityManager } from 'typeorm';
import { Invitation } from './invitation.entity.js';
import { InvitationOutbox } from './invitation-outbox.js';
import { invitationNotFound, notPendingError } from './invitation-status.js';

/**
 * Building blocks for the transactions that end an invitation (accept, decline, revoke). Each
 * starts by locking the invitation row, so concurrent transitions of one invitation run one after
 * another and each sees the state the previous one left: exactly one of them wins.
 */

/** Locks the invitation (FOR UPDATE) and returns it, or undefined when there is none. */
export function lockInvitation(
  manager: EntityManager,
  where: { id: string; organizationId?: string },
): Promise<Invitation | null> {
  return manager.findOne(Invitation, { where, lock: { mode: 'pessimistic_write' } });
}

/**
 * Locks the invitation a token names and checks it is still pending. A token for another version
 * (a resend since) is treated as unknown, exactly like a forged one.
 */
export async function lockPendingByToken(
  manager: EntityManager,
  claims: { invitationId: string; version: number },
): Promise<Invitation> {
  const invitation = await lockInvitation(manager, { id: claims.invitationId });
  if (!invitation || invitation.version !== claims.version) throw invitationNotFound();
  const notPending = notPendingError(invitation);
  if (notPending) throw notPending;
  return invitation;
}

/**
 * The invitation will never be accepted (declined, revoked): its pending membership goes away
 * (a member who is already active is left alone), and mail not yet sent for it is cancelled.
 */
export async function retire(
  manager: EntityManager,
  invitation: Invitation,
  outbox: InvitationOutbox,
): Promise<void> {
  if (invitation.membershipId) {
    await manager.query(
      `DELETE FROM memberships WHERE id = $1 AND organization_id = $2 AND account_state = 'pending_invitation'`,
      [invitation.membershipId, invitation.organizationId],
    );
  }
  await outbox.cancel(manager, invitation.id);
}
