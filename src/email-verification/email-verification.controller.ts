import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../common/auth/access.decorator.js';
import { Caller, CurrentCaller } from '../common/auth/request-context.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { MeResponseDto } from '../users/dto/me-response.dto.js';
import { EmailVerificationConfirmDto, EmailVerificationSentDto } from './dto/email-verification.dto.js';
import { EmailVerificationService } from './email-verification.service.js';

const VERIFIED_409 = "The caller's email is already verified (EMAIL_ALREADY_VERIFIED)";

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
  @ApiErrors([409, 429], {
    descriptions: {
      409: VERIFIED_409,
      429: 'A code was sent less than a minute ago (RATE_LIMITED, `details.retry_after_seconds`); see Retry-After',
    },
  })
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
  @ApiErrors([400, 409, 410], {
    descriptions: {
      400: 'Not 6 digits (VALIDATION_ERROR), or the wrong code (EMAIL_CODE_INVALID, `details.attempts_remaining`)',
      409: VERIFIED_409,
      410: 'No code is valid: none was requested, or it expired, was used or ran out of tries (EMAIL_CODE_EXPIRED)',
    },
  })
  confirmEmailVerification(
    @CurrentCaller() caller: Caller,
    @Body() body: EmailVerificationConfirmDto,
  ): Promise<MeResponseDto> {
    return this.verification.confirm(caller.userId, body.code);
  }
}
