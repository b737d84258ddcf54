import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { MeUserDto } from '../../users/dto/me-response.dto.js';
import { INVITATION_STATUSES, InvitationStatus } from '../invitation.entity.js';
import { FullName } from './invitation-fields.js';

/** Tokens are short (`inv_<id>.<version>.<mac>`); anything longer is not one. */
const MAX_TOKEN_LENGTH = 200;

function Token(): PropertyDecorator {
  return applyDecorators(
    ApiProperty({
      example: 'inv_4Z7kQ2mN8pR1sT5vW9xY3a.1.Yb2c…',
      maxLength: MAX_TOKEN_LENGTH,
      description: 'The `invite` parameter of the invitation link.',
    }),
    IsString(),
    IsNotEmpty(),
    MaxLength(MAX_TOKEN_LENGTH),
  );
}

export class InvitationLookupQueryDto {
  @Token()
  token: string;
}

export class InvitationDeclineDto {
  @Token()
  token: string;
}

/** The one-time code of an email-verification message: 6 digits. */
function EmailCode(description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: String, pattern: '^[0-9]{6}$', example: '493817', description }),
    IsOptional(),
    IsString(),
    Matches(/^[0-9]{6}$/, { message: 'the code is 6 digits' }),
  );
}

export class InvitationAcceptDto {
  @Token()
  token: string;

  @FullName(
    'Your name, at most 255 characters: sets the name of an account this acceptance activates or proves with ' +
      '`email_code`; ignored when accepting with your own API key.',
  )
  full_name?: string | null;

  @EmailCode(
    'The code emailed to the invitee after an answer of EMAIL_VERIFICATION_REQUIRED. With the right code the email ' +
      'becomes verified, every older API key of the account is revoked, and a new key is returned.',
  )
  email_code?: string;
}

export class InvitationLookupOrganizationDto {
  @ApiProperty({ example: 'org_abc123' })
  id: string;

  @ApiProperty({ example: 'Acme Inc.' })
  name: string;

  @ApiProperty({ example: 'acme' })
  slug: string;
}

export class InvitationLookupRoleDto {
  @ApiProperty({ example: 'role_abc123' })
  id: string;

  @ApiProperty({ example: 'Admin' })
  name: string;
}

export class InvitationLookupInviterDto {
  @ApiProperty({ type: String, nullable: true, example: 'Ada Owner' })
  full_name: string | null;

  @ApiProperty({ example: 'ada@example.com' })
  email: string;
}

/** What a registration page shows for a link. Reading it changes nothing. */
export class InvitationLookupResponseDto {
  @ApiProperty({ example: 'inv_def456' })
  invitation_id: string;

  @ApiProperty({ enum: INVITATION_STATUSES, example: 'pending' })
  status: InvitationStatus;

  @ApiProperty({ example: 'user@example.com' })
  email: string;

  @ApiProperty({ type: InvitationLookupOrganizationDto })
  organization: InvitationLookupOrganizationDto;

  @ApiProperty({ type: [InvitationLookupRoleDto] })
  roles: InvitationLookupRoleDto[];

  @ApiProperty({
    type: InvitationLookupInviterDto,
    nullable: true,
    description: 'Null when the inviting account no longer exists.',
  })
  invited_by: InvitationLookupInviterDto | null;

  @ApiProperty({ format: 'date-time', example: '2026-01-12T10:30:00Z' })
  expires_at: string;
}

export class InvitationAcceptResponseDto {
  @ApiProperty({ type: MeUserDto })
  user: MeUserDto;

  @ApiProperty({ example: 'org_abc123' })
  organization_id: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'oik_7Hq2LmVb0c…',
    description:
      'A new API key, shown once: for an account this invitation created and this acceptance activated, or one ' +
      'whose email this acceptance verified with `email_code` (every older key is revoked). Null when the invitee ' +
      'accepted with their own key.',
  })
  api_key: string | null;
}
