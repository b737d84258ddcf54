import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../common/auth/access.decorator.js';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator.js';
import { Caller, CurrentCaller, CurrentOrg, OrgScope } from '../common/auth/request-context.js';
import { InvitationIdParams, ORG_PARAM } from '../common/ids/id-params.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { InvitePolicyErrors } from '../domains/invite-policy.js';
import { Page, PageOf } from '../common/pagination/pagination.js';
import { InvitationCreateDto } from './dto/invitation-create.dto.js';
import { InvitationListQueryDto } from './dto/invitation-list-query.dto.js';
import { InvitationResponseDto } from './dto/invitation-response.dto.js';
import { InvitationCreateService } from './invitation-create.service.js';
import { InvitationManagementService } from './invitation-management.service.js';
import { InvitationQueriesService } from './invitation-queries.service.js';
import { InvitationTokens } from './invitation-token.js';

/** The invitation resource: create, read, resend, revoke. */
@ApiTags('Invitations')
@Controller('v1/organizations/:organization_id/invitations')
export class InvitationsController {
  constructor(
    private readonly creator: InvitationCreateService,
    private readonly management: InvitationManagementService,
    private readonly queries: InvitationQueriesService,
    private readonly tokens: InvitationTokens,
  ) {}

  @Post()
  @RateLimit('invites-per-org')
  @HttpCode(201)
  @Access('admin')
  @ORG_PARAM
  @ApiOperation({
    summary: 'Create an invitation',
    description:
      'Invites an email with roles and departments. The invitee gets a pending membership until they accept. ' +
      'Only an Owner may grant the Owner role.',
  })
  @ApiCreatedResponse({ type: InvitationResponseDto })
  @InvitePolicyErrors()
  @ApiErrors(ErrorCode.USER_ALREADY_EXISTS, ErrorCode.INVITATION_ALREADY_PENDING)
  async createInvitation(
    @CurrentOrg() org: OrgScope,
    @CurrentCaller() caller: Caller,
    @Body() body: InvitationCreateDto,
  ): Promise<InvitationResponseDto> {
    const { invitation } = await this.creator.create(org, caller, {
      email: body.email,
      fullName: body.full_name,
      roleIds: body.role_ids,
      departmentIds: body.department_ids,
      sendInvitation: body.send_invitation,
      customMessage: body.custom_message,
      expiresInDays: body.expires_in_days,
    });
    return InvitationResponseDto.from(invitation, this.tokens, org.rank);
  }

  @Get()
  @Access('member')
  @ORG_PARAM
  @ApiOperation({
    summary: 'List invitations',
    description:
      'Oldest first; filter by `status` and `email`. `invitation_link` is shown only to a caller who may create the ' +
      'invitation (Admin or Owner; Owner for one that grants the Owner role), else null.',
  })
  @ApiOkResponse({ type: PageOf(InvitationResponseDto) })
  listInvitations(
    @CurrentOrg() org: OrgScope,
    @Query() query: InvitationListQueryDto,
  ): Promise<Page<InvitationResponseDto>> {
    return this.queries.list(org.organizationId, query, org.rank);
  }

  @Get(':invitation_id')
  @Access('member')
  @ORG_PARAM
  @ApiOperation({ summary: 'Get an invitation' })
  @ApiOkResponse({ type: InvitationResponseDto })
  @ApiErrors(ErrorCode.INVITATION_NOT_FOUND)
  async getInvitation(
    @CurrentOrg() org: OrgScope,
    @Param() params: InvitationIdParams,
  ): Promise<InvitationResponseDto> {
    return this.queries.get(org.organizationId, params.invitation_id, org.rank);
  }

  @Post(':invitation_id/resend')
  // A resend is an email too: it spends the organization's hourly email budget like a create.
  @RateLimit('invites-per-org')
  @HttpCode(200)
  @Access('admin')
  @ORG_PARAM
  @ApiOperation({
    summary: 'Resend an invitation',
    description:
      'Issues a new link (the old one stops working), a new expiry (also for an expired invitation) and queues ' +
      'the email again. Throttled per invitation: RESEND_COOLDOWN_SECONDS after its last email (one created ' +
      "without an email can be sent at once), and counted against the organization's hourly email budget " +
      '(RATE_LIMIT_INVITES_PER_ORG_PER_HOUR) like a create.',
  })
  @ApiOkResponse({ type: InvitationResponseDto })
  @ApiErrors(
    ErrorCode.INVITATION_NOT_FOUND,
    ErrorCode.INVITATION_ALREADY_ACCEPTED,
    ErrorCode.USER_ALREADY_EXISTS,
    ErrorCode.INVITATION_ALREADY_PENDING,
    ErrorCode.INVITATION_REVOKED,
    ErrorCode.INVITATION_DECLINED,
  )
  async resendInvitation(
    @CurrentOrg() org: OrgScope,
    @CurrentCaller() caller: Caller,
    @Param() params: InvitationIdParams,
  ): Promise<InvitationResponseDto> {
    return InvitationResponseDto.from(
      await this.management.resend(org.organizationId, params.invitation_id, caller),
      this.tokens,
      org.rank,
    );
  }

  @Post(':invitation_id/revoke')
  @HttpCode(200)
  @Access('admin')
  @ORG_PARAM
  @ApiOperation({
    summary: 'Revoke an invitation',
    description:
      'Pending → revoked: the link stops working, the pending membership is removed, unsent email is cancelled.',
  })
  @ApiOkResponse({ type: InvitationResponseDto })
  @ApiErrors(
    ErrorCode.INVITATION_NOT_FOUND,
    ErrorCode.INVITATION_ALREADY_ACCEPTED,
    ErrorCode.INVITATION_EXPIRED,
    ErrorCode.INVITATION_REVOKED,
    ErrorCode.INVITATION_DECLINED,
  )
  async revokeInvitation(
    @CurrentOrg() org: OrgScope,
    @CurrentCaller() caller: Caller,
    @Param() params: InvitationIdParams,
  ): Promise<InvitationResponseDto> {
    return InvitationResponseDto.from(
      await this.management.revoke(org.organizationId, params.invitation_id, caller),
      this.tokens,
      org.rank,
    );
  }
}
