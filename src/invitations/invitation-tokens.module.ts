import { Module } from '@nestjs/common';
import { InvitationTokens } from './invitation-token.js';

/** Token signing on its own, so members (links in the published user object) and mail can use it without the invitations module. */
@Module({ providers: [InvitationTokens], exports: [InvitationTokens] })
export class InvitationTokensModule {}
