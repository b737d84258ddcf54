import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../common/auth/access.decorator.js';
import { Caller, CurrentCaller } from '../common/auth/request-context.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { ORG_PARAM } from '../common/ids/id-params.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
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
  @ApiErrors(ErrorCode.JOIN_NOT_ALLOWED, ErrorCode.NOT_FOUND, ErrorCode.USER_ALREADY_EXISTS)
  joinOrganization(
    @CurrentCaller() caller: Caller,
    @Param('organization_id') organizationId: string,
  ): Promise<MemberResponseDto> {
    return this.join.join(caller, organizationId);
  }
}
