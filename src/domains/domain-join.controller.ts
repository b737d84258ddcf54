import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../common/auth/access.decorator.js';
import { Caller, CurrentCaller } from '../common/auth/request-context.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { ORG_PARAM } from '../organizations/organizations.controller.js';
import { MemberResponseDto } from '../users/dto/member-response.dto.js';
import { DomainJoinService } from './domain-join.service.js';

/** Joining an organization by verified email domain (auto-join). */
@ApiTags('Organizations')
@Controller('v1/organizations/:organization_id/join')
export class DomainJoinController {
  constructor(private readonly join: DomainJoinService) {}

  @Post()
  @HttpCode(201)
  @Access('user')
  @ORG_PARAM
  @ApiOperation({
    summary: 'Join an organization by email domain',
    description:
      "Makes the caller an active member with the organization's `auto_join.role_id` (never Owner). Requires a " +
      "verified email on one of the organization's verified domains, and auto-join on.",
  })
  @ApiCreatedResponse({ type: MemberResponseDto, description: 'The caller as a member of the organization' })
  @ApiErrors([403, 404, 409], {
    descriptions: {
      404: 'An organization reference longer than any ID or slug, refused by the router (NOT_FOUND)',
      403: 'The caller may not join: no such organization, auto-join off, or no verified email on its verified domains (JOIN_NOT_ALLOWED)',
      409: 'The caller is already a member, in any state (USER_ALREADY_EXISTS)',
    },
  })
  joinOrganization(
    @CurrentCaller() caller: Caller,
    @Param('organization_id') organizationId: string,
  ): Promise<MemberResponseDto> {
    return this.join.join(caller, organizationId);
  }
}
