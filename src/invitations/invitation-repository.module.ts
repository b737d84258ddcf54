import { Module } from '@nestjs/common';
import { InvitationRepository } from './invitation.repository.js';

/** The invitations table's writes for other modules (mail, the sweeper), without the invitations module. */
@Module({ providers: [InvitationRepository], exports: [InvitationRepository] })
export class InvitationRepositoryModule {}
