import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { VerifiedUsers } from '../common/auth/oidc/verified-users.js';
import { DepartmentsModule } from '../departments/departments.module.js';
import { DepartmentRemoval } from './department-removal.js';
import { MembershipDepartment } from './membership-department.entity.js';
import { MembershipRole } from './membership-role.entity.js';
import { Membership } from './membership.entity.js';
import { MeController } from './me.controller.js';
import { MeService } from './me.service.js';
import { MemberChangesService } from './member-changes.service.js';
import { MemberViews } from './member-views.js';
import { MembersController } from './members.controller.js';
import { MembersService } from './members.service.js';
import { MembershipsRepository } from './memberships.repository.js';
import { User } from './user.entity.js';
import { UsersRepository } from './users.repository.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([User, Membership, MembershipRole, MembershipDepartment]),
    DepartmentsModule,
  ],
  controllers: [MeController, MembersController],
  providers: [
    MeService,
    MemberViews,
    MembersService,
    MemberChangesService,
    UsersRepository,
    MembershipsRepository,
    DepartmentRemoval,
    // common/'s OIDC linking writes users through the port it declares.
    { provide: VerifiedUsers, useExisting: UsersRepository },
  ],
  // The one way other modules write users and memberships: these repositories and services.
  exports: [
    MemberViews,
    MeService,
    MemberChangesService,
    UsersRepository,
    MembershipsRepository,
    VerifiedUsers,
  ],
})
export class UsersModule {}
