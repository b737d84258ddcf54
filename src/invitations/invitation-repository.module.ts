import { Module } from '@nestjs/common';
import { InvitationRepository } from './invitation.repository.js';

/** The invitations table's one repository, for the invitations module and the others (mail, the sweeper) alike. */
@Module({ providers: [InvitationRepository], exports: [InvitationRepository] })
export class InvitationRepositoryModule {}
