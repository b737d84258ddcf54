import { Module } from '@nestjs/common';

/** Roles: filled in by its feature work. */
@Module({})
export class RolesModule {}
