import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../common/auth/access.decorator.js';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator.js';
import { Caller, CurrentCaller, CurrentOrg, OrgScope } from '../common/auth/request-context.js';
import { AppError } from '../common/errors/app-error.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { ORG_PARAM } from '../common/ids/id-params.js';
import { InvitePolicyErrors } from '../domains/invite-policy.js';
import { MemberResponseDto } from '../users/dto/member-response.dto.js';
import { memberView } from '../users/member-views.js';
import { visibleLink } from './dto/invitation-response.dto.js';
import { InviteUserV2Dto } from './dto/invite-user-v2.dto.js';
import { InviteUserDto, InviteUserResponseDto } from './dto/invite-user.dto.js';
import { PendingInvitationQueryDto, PendingInvitationResponseDto } from './dto/pending-invitation.dto.js';
import { InvitationCreateService } from './invitation-create.service.js';
import { InvitationQueriesService, PendingInvitationKey } from './invitation-queries.service.js';
import { InvitationTokens } from './invitation-token.js';
import { inTermsOf, PageTerms } from './page-terms.js';

/** The invite-user page sends one `role_id` and words an existing member its own way. */
const INVITE_USER_TERMS: PageTerms = {
  fields: { role_ids: 'role_id' },
  messages: { [ErrorCode.USER_ALREADY_EXISTS]: 'User already exists in organization' },
};

const EXACTLY_ONE_PARAMETER = 'Exactly one query parameter required: email, user_id, or invitation_id';

/** The pending-invitation page's rule: exactly one of its three parameters, refused with its message. */
function pendingInvitationKey(query: PendingInvitationQueryDto): PendingInvitationKey {
  const given = (
    [
      ['email', query.email],
      ['userId', query.user_id],
      ['invitationId', query.invitation_id],
    ] as const
  ).filter(([, value]) => value !== undefined);
  if (given.length !== 1) {
    throw new AppError(ErrorCode.VALIDATION_ERROR, EXACTLY_ONE_PARAMETER, {
      errors: [{ loc: ['query'], msg: EXACTLY_ONE_PARAMETER, type: 'exactly_one_required' }],
    });
  }
  const [[by, value]] = given;
  return { by, value: value! };
}

/** The published invite-user, invite-user v2 and pending-invitation endpoints, served exactly as their pages show. */
@ApiTags('Invitations')
@Controller('v1/organizations/:organization_id')
export class PublishedInvitationsController {
  constructor(
    private readonly creator: InvitationCreateService,
    private readonly queries: InvitationQueriesService,
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
  @InvitePolicyErrors()
  @ApiErrors(ErrorCode.USER_ALREADY_EXISTS, ErrorCode.INVITATION_ALREADY_PENDING)
  async inviteUser(
    @CurrentOrg() org: OrgScope,
    @CurrentCaller() caller: Caller,
    @Body() body: InviteUserDto,
  ): Promise<InviteUserResponseDto> {
    const { invitation } = await inTermsOf(INVITE_USER_TERMS, () =>
      this.creator.create(org, caller, {
        email: body.email,
        roleIds: [body.role_id],
        sendInvitation: body.send_invitation,
      }),
    );
    return {
      invitation_id: invitation.id,
      email: invitation.email,
      role_id: invitation.grantedRoleIds[0],
      user_id: invitation.userId,
      // The caller just created it, so they may see its link (an Admin cannot create an Owner-granting one).
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
  @InvitePolicyErrors()
  @ApiErrors(ErrorCode.USER_ALREADY_EXISTS, ErrorCode.INVITATION_ALREADY_PENDING)
  async inviteUserV2(
    @CurrentOrg() org: OrgScope,
    @CurrentCaller() caller: Caller,
    @Body() body: InviteUserV2Dto,
  ): Promise<MemberResponseDto> {
    const { invitation, invitee } = await this.creator.create(org, caller, {
      email: body.email,
      fullName: body.full_name,
      roleIds: body.role_ids,
      departmentIds: body.department_ids,
      sendInvitation: body.send_invitation,
      customMessage: body.custom_message,
    });
    // The link of an invitation to share by hand (the member view's rule), for the caller who just made it.
    const shared = invitation.emailStatus === 'not_requested';
    return memberView(invitee, shared ? visibleLink(invitation, this.tokens, org.rank) : null);
  }

  @Get('invitation')
  @Access('member')
  @ORG_PARAM
  @ApiOperation({
    summary: 'Get a pending invitation',
    description:
      'Retrieve details of a pending invitation including the shareable invitation link. Provide exactly one of ' +
      '`email`, `user_id` or `invitation_id`. Requires organization membership; `invitation_link` is shown only to a ' +
      'caller who may create the invitation (Admin or Owner; Owner for one that grants the Owner role), else null.',
  })
  @ApiOkResponse({ type: PendingInvitationResponseDto })
  @ApiErrors(ErrorCode.INVITATION_NOT_FOUND)
  async getPendingInvitation(
    @CurrentOrg() org: OrgScope,
    @Query() query: PendingInvitationQueryDto,
  ): Promise<PendingInvitationResponseDto> {
    return this.queries.findPending(org.organizationId, pendingInvitationKey(query), org.rank);
  }
}
