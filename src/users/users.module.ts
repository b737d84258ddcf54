import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InvitationTokensModule } from '../invitations/invitation-tokens.module.js';
import { MembershipDepartment } from './membership-department.entity.js';
import { MembershipRole } from './membership-role.entity.js';
import { Membership } from './membership.entity.js';
import { MeController } from './me.controller.js';
import { MeService } from './me.service.js';
import { MemberChangesService } from './member-changes.service.js';
import { MemberViews } from './member-views.js';
import { MembersController } from './members.controller.js';
import { MembersService } from './members.service.js';
import { User } from './user.entity.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([User, Membership, MembershipRole, MembershipDepartment]),
    InvitationTokensModule,
  ],
  controllers: [MeController, MembersController],
  providers: [MeService, MemberViews, MembersService, MemberChangesService],
  exports: [MemberViews, MeService],
})
export class UsersModule {}
