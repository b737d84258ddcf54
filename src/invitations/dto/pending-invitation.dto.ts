import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { MAX_EMAIL_LENGTH } from '../../common/email/email-address.js';
import { IsNormalizedEmail } from '../../common/email/email-field.js';
import { IsPrefixedId } from '../../common/ids/id-param.js';
import { idPattern } from '../../common/ids/ids.js';

/** The pending-invitation page's query: exactly one of the three (checked by its route, with the page's message). */
export class PendingInvitationQueryDto {
  @ApiPropertyOptional({
    format: 'email',
    maxLength: MAX_EMAIL_LENGTH,
    example: 'user@example.com',
    description: 'Email address of the invited user.',
  })
  @IsOptional()
  @IsNormalizedEmail()
  email?: string;

  @ApiPropertyOptional({
    pattern: idPattern('usr').source,
    example: 'usr_xyz789',
    description: 'User ID of the invited user (`usr_` prefixed).',
  })
  @IsOptional()
  @IsPrefixedId('usr')
  user_id?: string;

  @ApiPropertyOptional({
    pattern: idPattern('inv').source,
    example: 'inv_def456',
    description: 'Invitation ID (`inv_` prefixed).',
  })
  @IsOptional()
  @IsPrefixedId('inv')
  invitation_id?: string;
}

/** The pending-invitation page's 200 response, field for field. */
export class PendingInvitationResponseDto {
  @ApiProperty({ example: 'inv_def456' })
  invitation_id: string;

  @ApiProperty({ example: 'user@example.com' })
  email: string;

  @ApiProperty({ example: 'usr_xyz789' })
  user_id: string;

  @ApiProperty({ example: 'org_abc123' })
  organization_id: string;

  @ApiProperty({ example: 'role_jkl012' })
  role_id: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'https://chat.aitronos.com/user/register?invite=abc123...',
    description:
      'Shown only to a caller who may create this invitation (an Admin or Owner; an Owner when it grants the Owner ' +
      'role); null for everyone else.',
  })
  invitation_link: string | null;

  @ApiProperty({ format: 'date-time', example: '2026-01-12T10:30:00Z' })
  expires_at: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-05T10:30:00Z' })
  created_at: string;
}
