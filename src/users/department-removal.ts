import { Injectable, OnModuleInit } from '@nestjs/common';
import { DepartmentsService } from '../departments/departments.service.js';
import { MemberChangesService } from './member-changes.service.js';

/**
 * Plugs the members' side of deleting a department into the departments module at start-up (it
 * imports nothing of this one): the department leaves every membership, with a `member.updated`.
 */
@Injectable()
export class DepartmentRemoval implements OnModuleInit {
  constructor(
    private readonly departments: DepartmentsService,
    private readonly memberChanges: MemberChangesService,
  ) {}

  onModuleInit(): void {
    this.departments.beforeDeletion((organizationId, departmentId, actor) =>
      this.memberChanges.removeDepartment(organizationId, departmentId, actor),
    );
  }
}
