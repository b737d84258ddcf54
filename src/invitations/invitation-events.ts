import { Actor } from '../events/actor.js';
import { NewEvent } from '../events/event-log.js';
import { EventType } from '../events/event-types.js';
import { InvitationResponseDto } from './dto/invitation-response.dto.js';
import { Invitation } from './invitation.entity.js';

/** The event of a change to an invitation: its data is the invitation resource, never with its link. */
export function invitationEvent(
  type: Extract<EventType, `invitation.${string}`>,
  invitation: Invitation,
  actor: Actor,
): NewEvent {
  return {
    type,
    organizationId: invitation.organizationId,
    actor,
    subjectId: invitation.id,
    data: InvitationResponseDto.from(invitation, null, 0),
  };
}
