import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import {
  ChangeAuthor,
  NamedResourceChange,
  OrgNamedResourceService,
} from '../common/crud/org-named-resource.service.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { newId } from '../common/ids/ids.js';
import { CursorCodec } from '../common/pagination/cursor-codec.js';
import { Db } from '../database/transactions.js';
import { Actor, userActor } from '../events/actor.js';
import { EventLog } from '../events/event-log.js';
import { Department } from './department.entity.js';
import { DepartmentResponseDto } from './dto/department-response.dto.js';

/**
 * What must happen, in a department's deletion transaction and before its row is locked, to things
 * other modules own that hold the department (members lose it, with their events). Registered by
 * those modules at start-up, so this module imports none of them.
 */
export type DepartmentDeletionStep = (
  organizationId: string,
  departmentId: string,
  actor: Actor,
) => Promise<void>;

/**
 * Departments of one organization (the shared rules: OrgNamedResourceService). Deleting a
 * department first runs the deletion steps (the users module takes it from its members, with a
 * `member.updated` each); the FK cascade is only the database's backstop.
 */
@Injectable()
export class DepartmentsService extends OrgNamedResourceService<Department, DepartmentResponseDto> {
  private readonly deletionSteps: DepartmentDeletionStep[] = [];

  constructor(
    @InjectRepository(Department) departments: Repository<Department>,
    cursors: CursorCodec,
    db: Db,
    private readonly events: EventLog,
  ) {
    super(
      departments,
      cursors,
      {
        list: 'departments',
        idField: 'department_id',
        notFound: ErrorCode.DEPARTMENT_NOT_FOUND,
        nameTaken: ErrorCode.DEPARTMENT_ALREADY_EXISTS,
        nameIndex: 'uq_departments_org_name',
        toResponse: DepartmentResponseDto.from,
      },
      db,
    );
  }

  beforeDeletion(step: DepartmentDeletionStep): void {
    this.deletionSteps.push(step);
  }

  override delete(organizationId: string, id: string, by: ChangeAuthor): Promise<void> {
    return this.db.transaction(async () => {
      for (const step of this.deletionSteps) await step(organizationId, id, userActor(by));
      await super.delete(organizationId, id, by);
    });
  }

  protected async recordChange(
    change: NamedResourceChange,
    organizationId: string,
    department: DepartmentResponseDto,
    by: ChangeAuthor,
  ): Promise<void> {
    await this.events.append(this.db.manager(), {
      type: `department.${change}`,
      organizationId,
      actor: userActor(by),
      subjectId: department.id,
      data: department,
    });
  }

  protected newRow(organizationId: string, input: { name: string; description: string | null }): Department {
    return this.rows.create({ id: newId('dept'), organizationId, ...input });
  }
}
