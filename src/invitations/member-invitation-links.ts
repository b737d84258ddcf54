import { Injectable, OnModuleInit } from '@nestjs/common';
import { Db } from '../database/transactions.js';
import { Actor } from '../events/actor.js';
import { EventLog } from '../events/event-log.js';
import { MemberChangesService } from '../users/member-changes.service.js';
import { MemberViewer, MemberViews } from '../users/member-views.js';
import { invitationEvent } from './invitation-events.js';
import { InvitationTokens } from './invitation-token.js';
import { InvitationRepository } from './invitation.repository.js';
import { maySeeLink } from './link-visibility.js';

/**
 * What members have to do with invitations, plugged into the users module at start-up (it imports
 * nothing of this one): a pending member's link in their user object, and their pending invitation
 * revoked when they are removed.
 */
@Injectable()
export class MemberInvitationLinks implements OnModuleInit {
  constructor(
    private readonly db: Db,
    private readonly views: MemberViews,
    private readonly memberChanges: MemberChangesService,
    private readonly invitations: InvitationRepository,
    private readonly tokens: InvitationTokens,
    private readonly events: EventLog,
  ) {}

  onModuleInit(): void {
    this.views.showLinksWith((viewer, userIds) => this.links(viewer, userIds));
    this.memberChanges.beforeRemoval((organizationId, userId, actor) =>
      this.revokePending(organizationId, userId, actor),
    );
  }

  /** The pending invitation whose email was not requested: its link is shown (shared by hand). */
  private async links(viewer: MemberViewer, userIds: string[]): Promise<Map<string, string>> {
    const rows = await this.invitations.sharedByHand(viewer.organizationId, userIds);
    return new Map(
      rows
        .filter((row) => maySeeLink(viewer.rank, row.grants_owner))
        .map((row) => [row.user_id, this.tokens.link(row.id, row.version)]),
    );
  }

  /** A removed member's pending invitation dies with the membership (its queued email with it). */
  private async revokePending(organizationId: string, userId: string, actor: Actor): Promise<void> {
    await this.invitations.lockPendingOfMember(organizationId, userId);
    const revoked = await this.invitations.revokePendingOfMember(organizationId, userId);
    await this.events.appendAll(
      this.db.manager(),
      revoked.map((invitation) => invitationEvent('invitation.revoked', invitation, actor)),
    );
  }
}
