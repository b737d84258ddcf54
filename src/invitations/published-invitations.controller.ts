import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../common/auth/access.decorator.js';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator.js';
import { Caller, CurrentCaller, CurrentOrg, OrgScope } from '../common/auth/request-context.js';
import { iso } from '../common/http/timestamps.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { ORG_PARAM } from '../common/ids/id-params.js';
import { MemberResponseDto } from '../users/dto/member-response.dto.js';
import { MemberViews } from '../users/member-views.js';
import { InviteUserV2Dto } from './dto/invite-user-v2.dto.js';
import { InviteUserDto, InviteUserResponseDto } from './dto/invite-user.dto.js';
import { PendingInvitationQueryDto, PendingInvitationResponseDto } from './dto/pending-invitation.dto.js';
import { InvitationCreateService } from './invitation-create.service.js';
import { InvitationQueriesService } from './invitation-queries.service.js';
import { InvitationTokens } from './invitation-token.js';

/** Seed 000's own message for an existing member. */
const SEED_000_USER_EXISTS = 'User already exists in organization';

const CREATE_409 =
  'USER_ALREADY_EXISTS: the email is an active or deactivated member. INVITATION_ALREADY_PENDING: a pending ' +
  'invitation for the email exists (`details.invitation_id`).';
const CREATE_403 =
  'The caller is not an Admin or Owner, or an Admin tried to grant the Owner role (INSUFFICIENT_PERMISSIONS)';
const CREATE_400 =
  'Invalid body, or a role or department ID that is not of this organization (VALIDATION_ERROR naming each)';

/** The published invite endpoints of seeds 000, 001 and 003, served exactly as their pages show. */
@ApiTags('Invitations')
@Controller('v1/organizations/:organization_id')
export class PublishedInvitationsController {
  constructor(
    private readonly creator: InvitationCreateService,
    private readonly queries: InvitationQueriesService,
    private readonly memberViews: MemberViews,
    private readonly tokens: InvitationTokens,
  ) {}

  @Post('invite-user')
  @RateLimit('invites-per-org')
  @HttpCode(201)
  @Access('admin')
  @ORG_PARAM
  @ApiOperation({
    summary: 'Invite a user',
    description:
      'Invite a new user to join the organization. Creates a unique invitation link; the email is sent if ' +
      '`send_invitation` is true; the invitation expires after INVITATION_TTL_DAYS. Cannot invite existing ' +
      'organization members. Requires Admin or Owner role.',
  })
  @ApiCreatedResponse({ type: InviteUserResponseDto, description: 'The created invitation.' })
  @ApiErrors([400, 403, 409], { descriptions: { 400: CREATE_400, 403: CREATE_403, 409: CREATE_409 } })
  async inviteUser(
    @CurrentOrg() org: OrgScope,
    @CurrentCaller() caller: Caller,
    @Body() body: InviteUserDto,
  ): Promise<InviteUserResponseDto> {
    const invitation = await this.creator.create(
      org,
      caller.userId,
      { email: body.email, roleIds: [body.role_id], sendInvitation: body.send_invitation },
      { userExistsMessage: SEED_000_USER_EXISTS, roleField: 'role_id' },
    );
    return {
      invitation_id: invitation.id,
      email: invitation.email,
      role_id: invitation.roleIds[0],
      user_id: invitation.userId,
      invitation_link: this.tokens.link(invitation.id, invitation.version),
    };
  }

  @Post('users/invite/v2')
  @RateLimit('invites-per-org')
  @HttpCode(201)
  @Access('admin')
  @ORG_PARAM
  @ApiOperation({
    summary: 'Invite user (v2)',
    description:
      'Invite a user to the organization with role and department assignments in a single call. An existing ' +
      'account (by email) is reused; otherwise one is created. The membership stays `pending_invitation` until ' +
      'the invitation is accepted. With `role_ids` empty the invitee gets the Member role. `invitation_link` is ' +
      'returned only when `send_invitation` is false (share it by hand).',
  })
  @ApiCreatedResponse({
    type: MemberResponseDto,
    description: 'The user object with their role and department assignments.',
  })
  @ApiErrors([400, 403, 409], { descriptions: { 400: CREATE_400, 403: CREATE_403, 409: CREATE_409 } })
  async inviteUserV2(
    @CurrentOrg() org: OrgScope,
    @CurrentCaller() caller: Caller,
    @Body() body: InviteUserV2Dto,
  ): Promise<MemberResponseDto> {
    const invitation = await this.creator.create(org, caller.userId, {
      email: body.email,
      fullName: body.full_name,
      roleIds: body.role_ids,
      departmentIds: body.department_ids,
      sendInvitation: body.send_invitation,
      customMessage: body.custom_message,
    });
    const member = await this.memberViews.findOne(org.organizationId, invitation.userId);
    // The membership was created with the invitation; it can only be missing if removed this instant.
    if (!member)
      throw new Error(`membership of ${invitation.userId} vanished after invitation ${invitation.id}`);
    return member;
  }

  @Get('invitation')
  @Access('member')
  @ORG_PARAM
  @ApiOperation({
    summary: 'Get a pending invitation',
    description:
      'Retrieve details of a pending invitation including the shareable invitation link. Provide exactly one of ' +
      '`email`, `user_id` or `invitation_id`. Requires organization membership.',
  })
  @ApiOkResponse({ type: PendingInvitationResponseDto })
  @ApiErrors([400, 404], {
    descriptions: {
      400: 'Not exactly one query parameter, or a malformed one (VALIDATION_ERROR)',
      404: 'No pending invitation matches (INVITATION_NOT_FOUND), or the organization does not exist or the caller is not an active member (ORGANIZATION_NOT_FOUND)',
    },
  })
  async getPendingInvitation(
    @CurrentOrg() org: OrgScope,
    @Query() query: PendingInvitationQueryDto,
  ): Promise<PendingInvitationResponseDto> {
    const invitation = await this.queries.findPending(org.organizationId, query);
    return {
      invitation_id: invitation.id,
      email: invitation.email,
      user_id: invitation.userId,
      organization_id: invitation.organizationId,
      role_id: invitation.roleIds[0],
      invitation_link: this.tokens.link(invitation.id, invitation.version),
      expires_at: iso(invitation.expiresAt),
      created_at: iso(invitation.createdAt),
    };
  }
}
