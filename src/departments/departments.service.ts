import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { OrgNamedResourceService } from '../common/crud/org-named-resource.service.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { newId } from '../common/ids/ids.js';
import { CursorCodec } from '../common/pagination/cursor-codec.js';
import { Department } from './department.entity.js';
import { DepartmentResponseDto } from './dto/department-response.dto.js';

/**
 * Departments of one organization (the shared rules: OrgNamedResourceService). Deleting a
 * department removes its member assignments by FK cascade.
 */
@Injectable()
export class DepartmentsService extends OrgNamedResourceService<Department, DepartmentResponseDto> {
  constructor(@InjectRepository(Department) departments: Repository<Department>, cursors: CursorCodec) {
    super(departments, cursors, {
      list: 'departments',
      idField: 'department_id',
      notFound: ErrorCode.DEPARTMENT_NOT_FOUND,
      nameTaken: ErrorCode.DEPARTMENT_ALREADY_EXISTS,
      nameIndex: 'uq_departments_org_name',
      toResponse: DepartmentResponseDto.from,
    });
  }

  protected newRow(organizationId: string, input: { name: string; description: string | null }): Department {
    return this.rows.create({ id: newId('dept'), organizationId, ...input });
  }
}
