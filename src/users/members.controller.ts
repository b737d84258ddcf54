import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../common/auth/access.decorator.js';
import { Caller, CurrentCaller, CurrentOrg, OrgScope } from '../common/auth/request-context.js';
import { UserIdParams, ORG_PARAM } from '../common/ids/id-params.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { Page, PageOf } from '../common/pagination/pagination.js';
import { MemberListQueryDto } from './dto/member-list-query.dto.js';
import { MemberResponseDto } from './dto/member-response.dto.js';
import { MembershipUpdateDto } from './dto/membership-update.dto.js';
import { MemberChangesService } from './member-changes.service.js';
import { MembersService } from './members.service.js';

@ApiTags('Users')
@Controller('v1/organizations/:organization_id/users')
@ORG_PARAM
export class MembersController {
  constructor(
    private readonly members: MembersService,
    private readonly changes: MemberChangesService,
  ) {}

  @Get()
  @Access('member')
  @ApiOperation({
    summary: "List the organization's users",
    description: 'Members in every state, oldest membership first.',
  })
  @ApiOkResponse({ type: PageOf(MemberResponseDto) })
  listUsers(
    @CurrentOrg() org: OrgScope,
    @Query() query: MemberListQueryDto,
  ): Promise<Page<MemberResponseDto>> {
    return this.members.list(org, query);
  }

  @Get(':user_id')
  @Access('member')
  @ApiOperation({ summary: 'Get a user of the organization' })
  @ApiOkResponse({ type: MemberResponseDto })
  @ApiErrors(ErrorCode.USER_NOT_FOUND)
  getUser(@CurrentOrg() org: OrgScope, @Param() params: UserIdParams): Promise<MemberResponseDto> {
    return this.members.get(org, params.user_id);
  }

  @Put(':user_id/memberships')
  @Access('admin')
  @ApiOperation({
    summary: "Replace a user's roles and departments",
    description:
      'Both sets are replaced. Only an Owner may grant or remove the Owner role or change an Owner.',
  })
  @ApiOkResponse({ type: MemberResponseDto })
  @ApiErrors(ErrorCode.USER_NOT_FOUND, ErrorCode.LAST_OWNER)
  updateMemberships(
    @CurrentOrg() org: OrgScope,
    @CurrentCaller() caller: Caller,
    @Param() params: UserIdParams,
    @Body() body: MembershipUpdateDto,
  ): Promise<MemberResponseDto> {
    return this.changes.updateMemberships(org, caller, params.user_id, body);
  }

  @Post(':user_id/deactivate')
  @HttpCode(200)
  @Access('admin')
  @ApiOperation({
    summary: 'Deactivate a user',
    description:
      "The member's API keys lose access to this organization at once; roles and departments are kept.",
  })
  @ApiOkResponse({ type: MemberResponseDto })
  @ApiErrors(ErrorCode.USER_NOT_FOUND, ErrorCode.MEMBER_NOT_ACTIVE, ErrorCode.LAST_OWNER)
  deactivateUser(
    @CurrentOrg() org: OrgScope,
    @CurrentCaller() caller: Caller,
    @Param() params: UserIdParams,
  ): Promise<MemberResponseDto> {
    return this.changes.deactivate(org, caller, params.user_id);
  }

  @Post(':user_id/reactivate')
  @HttpCode(200)
  @Access('admin')
  @ApiOperation({
    summary: 'Reactivate a deactivated user',
    description: "The member's API keys regain access at once.",
  })
  @ApiOkResponse({ type: MemberResponseDto })
  @ApiErrors(ErrorCode.USER_NOT_FOUND, ErrorCode.MEMBER_NOT_DEACTIVATED)
  reactivateUser(
    @CurrentOrg() org: OrgScope,
    @CurrentCaller() caller: Caller,
    @Param() params: UserIdParams,
  ): Promise<MemberResponseDto> {
    return this.changes.reactivate(org, caller, params.user_id);
  }

  @Delete(':user_id')
  @HttpCode(204)
  @Access('admin')
  @ApiOperation({
    summary: 'Remove a user from the organization',
    description:
      "The global account remains. A pending member's invitation is revoked and its email is not sent.",
  })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiErrors(ErrorCode.USER_NOT_FOUND, ErrorCode.LAST_OWNER)
  async removeUser(
    @CurrentOrg() org: OrgScope,
    @CurrentCaller() caller: Caller,
    @Param() params: UserIdParams,
  ): Promise<void> {
    await this.changes.remove(org, caller, params.user_id);
  }
}
