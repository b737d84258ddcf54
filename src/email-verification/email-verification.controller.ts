import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../common/auth/access.decorator.js';
import { Caller, CurrentCaller } from '../common/auth/request-context.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { MeResponseDto } from '../users/dto/me-response.dto.js';
import { EmailVerificationConfirmDto, EmailVerificationSentDto } from './dto/email-verification.dto.js';
import { EmailVerificationService } from './email-verification.service.js';

/** The caller proves they control their account's email address (API.md "Email proof"). */
@ApiTags('Me')
@Controller('v1/me/email-verification')
export class EmailVerificationController {
  constructor(private readonly verification: EmailVerificationService) {}

  @Post()
  @HttpCode(202)
  @Access('user')
  @ApiOperation({
    summary: 'Email the caller a verification code',
    description:
      "Emails a 6-digit code to the caller's address: valid 10 minutes, 5 tries; a new code replaces the last one, " +
      'at most one a minute.',
  })
  @ApiAcceptedResponse({ type: EmailVerificationSentDto, description: 'The code email is queued.' })
  @ApiErrors(ErrorCode.EMAIL_ALREADY_VERIFIED)
  requestEmailVerification(@CurrentCaller() caller: Caller): Promise<EmailVerificationSentDto> {
    return this.verification.request(caller.userId);
  }

  @Post('confirm')
  @HttpCode(200)
  @Access('user')
  @ApiOperation({
    summary: "Verify the caller's email with the emailed code",
    description: 'Every try counts, right or wrong; after 5 the code is dead.',
  })
  @ApiOkResponse({ type: MeResponseDto, description: 'The caller, now with `email_verified: true`.' })
  @ApiErrors(ErrorCode.EMAIL_CODE_INVALID, ErrorCode.EMAIL_ALREADY_VERIFIED, ErrorCode.EMAIL_CODE_EXPIRED)
  confirmEmailVerification(
    @CurrentCaller() caller: Caller,
    @Body() body: EmailVerificationConfirmDto,
  ): Promise<MeResponseDto> {
    return this.verification.confirm(caller.userId, body.code);
  }
}
