import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Access } from '../common/auth/access.decorator.js';
import { CurrentOrg, OrgScope } from '../common/auth/request-context.js';
import { DepartmentIdParams, ORG_PARAM } from '../common/ids/id-params.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { Page, PageOf, PageQueryDto } from '../common/pagination/pagination.js';
import { DepartmentsService } from './departments.service.js';
import { DepartmentCreateDto } from './dto/department-create.dto.js';
import { DepartmentResponseDto } from './dto/department-response.dto.js';
import { DepartmentUpdateDto } from './dto/department-update.dto.js';

@ApiTags('Departments')
@Controller('v1/organizations/:organization_id/departments')
@ORG_PARAM
export class DepartmentsController {
  constructor(private readonly departments: DepartmentsService) {}

  @Post()
  @HttpCode(201)
  @Access('admin')
  @ApiOperation({ summary: 'Create a department' })
  @ApiCreatedResponse({ type: DepartmentResponseDto, description: 'The new department' })
  @ApiErrors(ErrorCode.DEPARTMENT_ALREADY_EXISTS)
  createDepartment(
    @CurrentOrg() org: OrgScope,
    @Body() body: DepartmentCreateDto,
  ): Promise<DepartmentResponseDto> {
    return this.departments.create(org.organizationId, body);
  }

  @Get()
  @Access('member')
  @ApiOperation({ summary: "List the organization's departments", description: 'Oldest first.' })
  @ApiOkResponse({ type: PageOf(DepartmentResponseDto), description: 'A page of departments' })
  listDepartments(
    @CurrentOrg() org: OrgScope,
    @Query() query: PageQueryDto,
  ): Promise<Page<DepartmentResponseDto>> {
    return this.departments.list(org.organizationId, query);
  }

  @Get(':department_id')
  @Access('member')
  @ApiOperation({ summary: 'Get a department' })
  @ApiOkResponse({ type: DepartmentResponseDto, description: 'The department' })
  @ApiErrors(ErrorCode.DEPARTMENT_NOT_FOUND)
  getDepartment(
    @CurrentOrg() org: OrgScope,
    @Param() params: DepartmentIdParams,
  ): Promise<DepartmentResponseDto> {
    return this.departments.get(org.organizationId, params.department_id);
  }

  @Patch(':department_id')
  @Access('admin')
  @ApiOperation({ summary: 'Update a department', description: 'Only the fields sent change.' })
  @ApiOkResponse({ type: DepartmentResponseDto, description: 'The updated department' })
  @ApiErrors(ErrorCode.DEPARTMENT_NOT_FOUND, ErrorCode.DEPARTMENT_ALREADY_EXISTS)
  updateDepartment(
    @CurrentOrg() org: OrgScope,
    @Param() params: DepartmentIdParams,
    @Body() body: DepartmentUpdateDto,
  ): Promise<DepartmentResponseDto> {
    return this.departments.update(org.organizationId, params.department_id, body);
  }

  @Delete(':department_id')
  @HttpCode(204)
  @Access('admin')
  @ApiOperation({
    summary: 'Delete a department',
    description: 'Members assigned to it lose the assignment; they stay members.',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(ErrorCode.DEPARTMENT_NOT_FOUND)
  deleteDepartment(@CurrentOrg() org: OrgScope, @Param() params: DepartmentIdParams): Promise<void> {
    return this.departments.delete(org.organizationId, params.department_id);
  }
}
