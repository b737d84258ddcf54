import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Access, API_KEY_SCHEME, BEARER_SCHEME } from '../common/auth/access.decorator.js';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator.js';
import { Caller, OptionalCaller } from '../common/auth/request-context.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import {
  InvitationAcceptDto,
  InvitationAcceptResponseDto,
  InvitationDeclineDto,
  InvitationLookupQueryDto,
  InvitationLookupResponseDto,
} from './dto/invitation-token.dto.js';
import { InvitationAcceptanceService } from './invitation-acceptance.service.js';
import { InvitationQueriesService } from './invitation-queries.service.js';

/** Why a token no longer works: the invitation is not pending any more. */
const ENDED = [
  ErrorCode.INVITATION_ALREADY_ACCEPTED,
  ErrorCode.INVITATION_EXPIRED,
  ErrorCode.INVITATION_REVOKED,
  ErrorCode.INVITATION_DECLINED,
];

/** What the holder of an invitation link can do: look, accept, decline. The token is the credential. */
@ApiTags('Invitations')
@Controller('v1/invitations')
export class InvitationLinksController {
  constructor(
    private readonly acceptance: InvitationAcceptanceService,
    private readonly queries: InvitationQueriesService,
  ) {}

  @Get('lookup')
  @Access('public')
  @RateLimit('public-token')
  @ApiOperation({
    summary: 'Look up an invitation by its token',
    description:
      'What a registration page shows. Never consumes the invitation (link scanners prefetch with GET).',
  })
  @ApiOkResponse({ type: InvitationLookupResponseDto })
  @ApiErrors(ErrorCode.INVITATION_NOT_FOUND)
  lookupInvitation(@Query() query: InvitationLookupQueryDto): Promise<InvitationLookupResponseDto> {
    return this.queries.lookup(query.token);
  }

  @Post('accept')
  @HttpCode(200)
  @Access('public')
  @RateLimit('public-token')
  @ApiSecurity(API_KEY_SCHEME)
  @ApiBearerAuth(BEARER_SCHEME)
  @ApiSecurity({})
  @ApiOperation({
    summary: 'Accept an invitation',
    description:
      'Makes the membership active with the invited roles and departments. A link proves nothing about who controls ' +
      'the address, so: an account this invitation created, never active, is activated and receives an API key ' +
      '(`api_key`, shown once). An account whose email is verified must accept with its own API key, and receives ' +
      'none. Any other account (never active but created by another invitation, or active but unverified) gets 403 ' +
      'EMAIL_VERIFICATION_REQUIRED and a 6-digit code is emailed to the address (valid 10 minutes, 5 tries, at most ' +
      'one new code a minute); accepting again with `email_code` verifies the email, revokes every older key of the ' +
      'account and returns a new one.',
  })
  @ApiOkResponse({ type: InvitationAcceptResponseDto })
  @ApiErrors(
    ErrorCode.EMAIL_CODE_INVALID,
    ErrorCode.EMAIL_VERIFICATION_REQUIRED,
    ErrorCode.INVITATION_EMAIL_MISMATCH,
    ErrorCode.INVITATION_NOT_FOUND,
    ErrorCode.EMAIL_CODE_EXPIRED,
    ...ENDED,
  )
  acceptInvitation(
    @Body() body: InvitationAcceptDto,
    @OptionalCaller() caller: Caller | undefined,
  ): Promise<InvitationAcceptResponseDto> {
    return this.acceptance.accept(body.token, body.full_name, body.email_code, caller);
  }

  @Post('decline')
  @HttpCode(200)
  @Access('public')
  @RateLimit('public-token')
  @ApiOperation({
    summary: 'Decline an invitation',
    description: 'Ends the invitation and removes the pending membership.',
  })
  @ApiOkResponse({ type: InvitationLookupResponseDto, description: 'The invitation, now `declined`.' })
  @ApiErrors(ErrorCode.INVITATION_NOT_FOUND, ...ENDED)
  declineInvitation(@Body() body: InvitationDeclineDto): Promise<InvitationLookupResponseDto> {
    return this.acceptance.decline(body.token);
  }
}
