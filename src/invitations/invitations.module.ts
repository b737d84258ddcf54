import { Module } from '@nestjs/common';

/** Invitations: filled in by its feature work. */
@Module({})
export class InvitationsModule {}
