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
import { RoleIdParams, ORG_PARAM } from '../common/ids/id-params.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { Page, PageOf, PageQueryDto } from '../common/pagination/pagination.js';
import { RoleCreateDto } from './dto/role-create.dto.js';
import { RoleResponseDto } from './dto/role-response.dto.js';
import { RoleUpdateDto } from './dto/role-update.dto.js';
import { RolesService } from './roles.service.js';

@ApiTags('Roles')
@Controller('v1/organizations/:organization_id/roles')
@ORG_PARAM
export class RolesController {
  constructor(private readonly roles: RolesService) {}

  @Post()
  @HttpCode(201)
  @Access('admin')
  @ApiOperation({
    summary: 'Create a custom role',
    description: 'Custom roles grant no administrative power beyond Member.',
  })
  @ApiCreatedResponse({ type: RoleResponseDto, description: 'The new role' })
  @ApiErrors(ErrorCode.ROLE_ALREADY_EXISTS)
  createRole(@CurrentOrg() org: OrgScope, @Body() body: RoleCreateDto): Promise<RoleResponseDto> {
    return this.roles.create(org.organizationId, body);
  }

  @Get()
  @Access('member')
  @ApiOperation({
    summary: "List the organization's roles",
    description: 'System roles included, oldest first.',
  })
  @ApiOkResponse({ type: PageOf(RoleResponseDto), description: 'A page of roles' })
  listRoles(@CurrentOrg() org: OrgScope, @Query() query: PageQueryDto): Promise<Page<RoleResponseDto>> {
    return this.roles.list(org.organizationId, query);
  }

  @Get(':role_id')
  @Access('member')
  @ApiOperation({ summary: 'Get a role' })
  @ApiOkResponse({ type: RoleResponseDto, description: 'The role' })
  @ApiErrors(ErrorCode.ROLE_NOT_FOUND)
  getRole(@CurrentOrg() org: OrgScope, @Param() params: RoleIdParams): Promise<RoleResponseDto> {
    return this.roles.get(org.organizationId, params.role_id);
  }

  @Patch(':role_id')
  @Access('admin')
  @ApiOperation({ summary: 'Update a custom role', description: 'Its `key` stays as it was created.' })
  @ApiOkResponse({ type: RoleResponseDto, description: 'The updated role' })
  @ApiErrors(ErrorCode.ROLE_NOT_FOUND, ErrorCode.ROLE_IS_SYSTEM, ErrorCode.ROLE_ALREADY_EXISTS)
  updateRole(
    @CurrentOrg() org: OrgScope,
    @Param() params: RoleIdParams,
    @Body() body: RoleUpdateDto,
  ): Promise<RoleResponseDto> {
    return this.roles.update(org.organizationId, params.role_id, body);
  }

  @Delete(':role_id')
  @HttpCode(204)
  @Access('admin')
  @ApiOperation({ summary: 'Delete a custom role' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(ErrorCode.ROLE_NOT_FOUND, ErrorCode.ROLE_IS_SYSTEM, ErrorCode.ROLE_IN_USE)
  deleteRole(@CurrentOrg() org: OrgScope, @Param() params: RoleIdParams): Promise<void> {
    return this.roles.delete(org.organizationId, params.role_id);
  }
}
