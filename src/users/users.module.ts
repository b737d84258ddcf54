import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MembershipDepartment } from './membership-department.entity.js';
import { MembershipRole } from './membership-role.entity.js';
import { Membership } from './membership.entity.js';
import { MeController } from './me.controller.js';
import { MeService } from './me.service.js';
import { User } from './user.entity.js';

@Module({
  imports: [TypeOrmModule.forFeature([User, Membership, MembershipRole, MembershipDepartment])],
  controllers: [MeController],
  providers: [MeService],
})
export class UsersModule {}
