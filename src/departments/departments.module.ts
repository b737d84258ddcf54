import { Module } from '@nestjs/common';

/** Departments: filled in by its feature work. */
@Module({})
export class DepartmentsModule {}
