import { ApiProperty } from '@nestjs/swagger';
import { ApiId, IsPrefixedId } from '../../common/ids/id-param.js';
import { InviteeEmail, SendInvitation } from './invitation-fields.js';

/** The invite-user page's request body. */
export class InviteUserDto {
  @InviteeEmail()
  email: string;

  @ApiId('role', { description: 'Role ID to assign to the invited user.' })
  @IsPrefixedId('role')
  role_id: string;

  @SendInvitation('Whether to send invitation email.')
  send_invitation?: boolean = true;
}

/** The invite-user page's 201 response, field for field. */
export class InviteUserResponseDto {
  @ApiProperty({ example: 'inv_abc123', description: 'Unique invitation ID' })
  invitation_id: string;

  @ApiProperty({ example: 'newuser@example.com', description: 'Invited email address' })
  email: string;

  @ApiProperty({ example: 'role_abc123', description: 'Assigned role ID' })
  role_id: string;

  @ApiProperty({ example: 'usr_xyz789', description: 'Created/existing user ID' })
  user_id: string;

  @ApiProperty({
    example: 'https://chat.aitronos.com/user/register?invite=abc123...',
    description: 'Full URL to share with the invitee',
  })
  invitation_link: string;
}
