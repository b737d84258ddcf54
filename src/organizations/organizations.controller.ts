import { Body, Controller, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, ApiCreatedResponse } from '@nestjs/swagger';
import { Access } from '../common/auth/access.decorator.js';
import { Caller, CurrentCaller, CurrentOrg, OrgScope } from '../common/auth/request-context.js';
import { ORG_PARAM } from '../common/ids/id-params.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { Page, PageOf, PageQueryDto } from '../common/pagination/pagination.js';
import { OrganizationCreateDto } from './dto/organization-create.dto.js';
import { OrganizationResponseDto } from './dto/organization-response.dto.js';
import { OrganizationUpdateDto } from './dto/organization-update.dto.js';
import { OrganizationsService } from './organizations.service.js';

@ApiTags('Organizations')
@Controller('v1/organizations')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Post()
  @RateLimit('org-creates-per-user')
  @HttpCode(201)
  @Access('user')
  @ApiOperation({
    summary: 'Create an organization',
    description:
      'The caller becomes its Owner. At most RATE_LIMIT_ORG_CREATES_PER_USER_PER_HOUR (10) per user and hour.',
  })
  @ApiCreatedResponse({ type: OrganizationResponseDto, description: 'The new organization' })
  @ApiErrors(ErrorCode.ORGANIZATION_SLUG_TAKEN)
  async createOrganization(
    @Body() body: OrganizationCreateDto,
    @CurrentCaller() caller: Caller,
  ): Promise<OrganizationResponseDto> {
    return OrganizationResponseDto.from(await this.organizations.create(body, caller.userId));
  }

  @Get()
  @Access('user')
  @ApiOperation({ summary: "List the caller's organizations" })
  @ApiOkResponse({
    type: PageOf(OrganizationResponseDto),
    description: 'Organizations where the caller is an active member, oldest first',
  })
  listOrganizations(
    @Query() query: PageQueryDto,
    @CurrentCaller() caller: Caller,
  ): Promise<Page<OrganizationResponseDto>> {
    return this.organizations.listForUser(caller.userId, query);
  }

  @Get(':organization_id')
  @Access('member')
  @ORG_PARAM
  @ApiOperation({ summary: 'Get an organization' })
  @ApiOkResponse({ type: OrganizationResponseDto, description: 'The organization' })
  async getOrganization(@CurrentOrg() org: OrgScope): Promise<OrganizationResponseDto> {
    return OrganizationResponseDto.from(await this.organizations.get(org.organizationId));
  }

  @Patch(':organization_id')
  @Access('admin')
  @ORG_PARAM
  @ApiOperation({ summary: 'Update an organization', description: 'Only the fields sent change.' })
  @ApiOkResponse({ type: OrganizationResponseDto, description: 'The updated organization' })
  @ApiErrors(ErrorCode.ORGANIZATION_SLUG_TAKEN)
  async updateOrganization(
    @CurrentOrg() org: OrgScope,
    @Body() body: OrganizationUpdateDto,
  ): Promise<OrganizationResponseDto> {
    return OrganizationResponseDto.from(await this.organizations.update(org.organizationId, body));
  }
}
