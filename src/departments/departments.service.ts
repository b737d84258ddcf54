import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppError } from '../common/errors/app-error.js';
import { isUniqueViolation } from '../common/errors/database-errors.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { newId } from '../common/ids/ids.js';
import { CursorCodec } from '../common/pagination/cursor-codec.js';
import { Page, PageQueryDto, paginate } from '../common/pagination/pagination.js';
import { Department } from './department.entity.js';
import { DepartmentCreateDto } from './dto/department-create.dto.js';
import { DepartmentResponseDto } from './dto/department-response.dto.js';
import { DepartmentUpdateDto } from './dto/department-update.dto.js';

/**
 * Departments of one organization; every query carries the organization id, so another
 * organization's department ID is simply not found. Name uniqueness (case-insensitive) is the
 * database's index; deleting a department removes its member assignments by FK cascade.
 */
@Injectable()
export class DepartmentsService {
  constructor(
    @InjectRepository(Department) private readonly departments: Repository<Department>,
    private readonly cursors: CursorCodec,
  ) {}

  async create(organizationId: string, input: DepartmentCreateDto): Promise<Department> {
    const department = this.departments.create({
      id: newId('dept'),
      organizationId,
      name: input.name,
      description: input.description ?? null,
    });
    try {
      await this.departments.insert(department);
    } catch (error) {
      throw nameTakenOr(error, input.name);
    }
    return department;
  }

  list(organizationId: string, query: PageQueryDto): Promise<Page<DepartmentResponseDto>> {
    const qb = this.departments
      .createQueryBuilder('d')
      .where('d.organization_id = :organizationId', { organizationId });
    return paginate(qb, query, DepartmentResponseDto.from, this.cursors.for('departments', organizationId));
  }

  async get(organizationId: string, departmentId: string): Promise<Department> {
    const department = await this.departments.findOneBy({ organizationId, id: departmentId });
    if (!department)
      throw new AppError(ErrorCode.DEPARTMENT_NOT_FOUND, undefined, { department_id: departmentId });
    return department;
  }

  async update(
    organizationId: string,
    departmentId: string,
    input: DepartmentUpdateDto,
  ): Promise<Department> {
    const changes: Partial<Pick<Department, 'name' | 'description'>> = {};
    if (input.name !== undefined) changes.name = input.name;
    if (input.description !== undefined) changes.description = input.description;
    let affected: number | undefined;
    try {
      ({ affected } = await this.departments.update(
        { organizationId, id: departmentId },
        { ...changes, updatedAt: () => 'now()' },
      ));
    } catch (error) {
      throw nameTakenOr(error, input.name);
    }
    if (!affected)
      throw new AppError(ErrorCode.DEPARTMENT_NOT_FOUND, undefined, { department_id: departmentId });
    return this.get(organizationId, departmentId);
  }

  async delete(organizationId: string, departmentId: string): Promise<void> {
    const { affected } = await this.departments.delete({ organizationId, id: departmentId });
    if (!affected)
      throw new AppError(ErrorCode.DEPARTMENT_NOT_FOUND, undefined, { department_id: departmentId });
  }
}

function nameTakenOr(error: unknown, name: string | undefined): unknown {
  return isUniqueViolation(error, 'uq_departments_org_name')
    ? new AppError(ErrorCode.DEPARTMENT_ALREADY_EXISTS, undefined, { name })
    : error;
}
