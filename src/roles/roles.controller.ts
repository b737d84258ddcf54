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
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { Page, PageOf, PageQueryDto } from '../common/pagination/pagination.js';
import { RoleCreateDto } from './dto/role-create.dto.js';
import { RoleResponseDto } from './dto/role-response.dto.js';
import { RoleUpdateDto } from './dto/role-update.dto.js';
import { RolesService } from './roles.service.js';

const ROLE_404 =
  'No such role in the organization (ROLE_NOT_FOUND), or the caller is not an active member (ORGANIZATION_NOT_FOUND)';
const NAME_409 = 'Another role has this name, case-insensitively (ROLE_ALREADY_EXISTS)';

@ApiTags('Roles')
@Controller('v1/organizations/:organization_id/roles')
export class RolesController {
  constructor(private readonly roles: RolesService) {}

  @Post()
  @HttpCode(201)
  @Access('admin')
  @ORG_PARAM
  @ApiOperation({
    summary: 'Create a custom role',
    description: 'Custom roles grant no administrative power beyond Member.',
  })
  @ApiCreatedResponse({ type: RoleResponseDto, description: 'The new role' })
  @ApiErrors([400, 409], { descriptions: { 409: NAME_409 } })
  async createRole(@CurrentOrg() org: OrgScope, @Body() body: RoleCreateDto): Promise<RoleResponseDto> {
    return RoleResponseDto.from(await this.roles.create(org.organizationId, body));
  }

  @Get()
  @Access('member')
  @ORG_PARAM
  @ApiOperation({
    summary: "List the organization's roles",
    description: 'System roles included, oldest first.',
  })
  @ApiOkResponse({ type: PageOf(RoleResponseDto), description: 'A page of roles' })
  @ApiErrors([400])
  listRoles(@CurrentOrg() org: OrgScope, @Query() query: PageQueryDto): Promise<Page<RoleResponseDto>> {
    return this.roles.list(org.organizationId, query);
  }

  @Get(':role_id')
  @Access('member')
  @ORG_PARAM
  @ApiOperation({ summary: 'Get a role' })
  @ApiOkResponse({ type: RoleResponseDto, description: 'The role' })
  @ApiErrors([400, 404], { descriptions: { 404: ROLE_404 } })
  async getRole(@CurrentOrg() org: OrgScope, @Param() params: RoleIdParams): Promise<RoleResponseDto> {
    return RoleResponseDto.from(await this.roles.get(org.organizationId, params.role_id));
  }

  @Patch(':role_id')
  @Access('admin')
  @ORG_PARAM
  @ApiOperation({ summary: 'Update a custom role', description: 'Its `key` stays as it was created.' })
  @ApiOkResponse({ type: RoleResponseDto, description: 'The updated role' })
  @ApiErrors([400, 404, 409], {
    descriptions: { 404: ROLE_404, 409: `A system role (ROLE_IS_SYSTEM); or: ${NAME_409}` },
  })
  async updateRole(
    @CurrentOrg() org: OrgScope,
    @Param() params: RoleIdParams,
    @Body() body: RoleUpdateDto,
  ): Promise<RoleResponseDto> {
    return RoleResponseDto.from(await this.roles.update(org.organizationId, params.role_id, body));
  }

  @Delete(':role_id')
  @HttpCode(204)
  @Access('admin')
  @ORG_PARAM
  @ApiOperation({ summary: 'Delete a custom role' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors([400, 404, 409], {
    descriptions: {
      404: ROLE_404,
      409: 'A system role (ROLE_IS_SYSTEM), or still held by a member or named by a pending invitation (ROLE_IN_USE)',
    },
  })
  async deleteRole(@CurrentOrg() org: OrgScope, @Param() params: RoleIdParams): Promise<void> {
    await this.roles.delete(org.organizationId, params.role_id);
  }
}
