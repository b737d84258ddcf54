import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Access } from '../common/auth/access.decorator.js';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator.js';
import { Caller, CurrentCaller, CurrentOrg, OrgScope } from '../common/auth/request-context.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { InvitePolicyErrors } from '../domains/invite-policy.js';
import { InvitationResponseDto } from './dto/invitation-response.dto.js';
import { OrgInvitationCreateDto, OrgInvitationResponseDto } from './dto/org-invitation.dto.js';
import { InvitationCreateService } from './invitation-create.service.js';
import { InvitationTokens } from './invitation-token.js';
import { inTermsOf, PageTerms } from './page-terms.js';
import { roleByKeyOrName } from './role-by-key-or-name.js';

/** The org-slug page sends one `role` (a key or name) where the service takes role IDs. */
const ORG_INVITATION_TERMS: PageTerms = { fields: { role_ids: 'role' } };

/**
 * The org-slug invitations page: the same job as the other invite routes, served as that page documents it.
 * Its errors render in that page's envelope (`{code, detail, type, errors}`, 422 for validation)
 * because the route lives under `/api/`; nothing here builds an envelope.
 */
@ApiTags('Invitations')
@Controller('api/v1/org/:slug/invitations')
export class OrgInvitationsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly creator: InvitationCreateService,
    private readonly tokens: InvitationTokens,
  ) {}

  @Post()
  @RateLimit('invites-per-org')
  @HttpCode(201)
  @Access('admin')
  @ApiParam({ name: 'slug', description: 'Organization slug', example: 'example' })
  @ApiOperation({
    summary: 'Invite to organization',
    description:
      'Send an invitation to join the organization. `role` is a role key or name (case-insensitive). Requires ' +
      'Admin or Owner; only an Owner may grant `owner`.',
  })
  @ApiCreatedResponse({ type: OrgInvitationResponseDto, description: 'Organization invitation response' })
  @InvitePolicyErrors()
  @ApiErrors(ErrorCode.USER_ALREADY_EXISTS, ErrorCode.INVITATION_ALREADY_PENDING)
  async createOrgInvitation(
    @CurrentOrg() org: OrgScope,
    @CurrentCaller() caller: Caller,
    @Body() body: OrgInvitationCreateDto,
  ): Promise<OrgInvitationResponseDto> {
    const role = await roleByKeyOrName(this.dataSource.manager, org.organizationId, body.role);
    const { invitation } = await inTermsOf(ORG_INVITATION_TERMS, () =>
      this.creator.create(org, caller, {
        email: body.email,
        roleIds: [role.id],
        sendInvitation: body.send_invitation,
      }),
    );
    return { ...InvitationResponseDto.from(invitation, this.tokens, org.rank), role: role.label };
  }
}
