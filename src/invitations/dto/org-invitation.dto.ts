import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Trim } from '../../common/validation/field-decorators.js';
import { InvitationResponseDto } from './invitation-response.dto.js';
import { InviteeEmail, SendInvitation } from './invitation-fields.js';

/** The org-slug invitations page's request body ("Request to invite user to organization"). */
export class OrgInvitationCreateDto {
  @InviteeEmail()
  email: string;

  @ApiProperty({
    example: 'admin',
    maxLength: 100,
    description:
      "Organization role: a role key or name, case-insensitive (`owner`, `admin`, `member`, or a custom role's name). " +
      'Only an Owner may grant `owner`.',
  })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  role: string;

  @SendInvitation('Send invitation email')
  send_invitation?: boolean = true;
}

/** The org-slug invitations page's "Organization invitation response": the invitation with its `role`. */
export class OrgInvitationResponseDto extends InvitationResponseDto {
  @ApiProperty({
    example: 'owner',
    description:
      "The role granted: a system role's key (`owner`, `admin`, `member`) or a custom role's name.",
  })
  role: string;
}
