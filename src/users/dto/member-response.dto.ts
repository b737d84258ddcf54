import { ApiProperty } from '@nestjs/swagger';
import { ACCOUNT_STATES, AccountState } from '../membership.entity.js';

/** A user as seen in an organization: the invite-user v2 page's user object, field for field. */
export class MemberResponseDto {
  @ApiProperty({ example: 'usr_abc123def456' })
  id: string;

  @ApiProperty({ type: String, nullable: true, example: 'Jane Doe' })
  full_name: string | null;

  @ApiProperty({ example: 'jane@example.com' })
  email: string;

  @ApiProperty({ type: String, nullable: true, example: null })
  user_name: string | null;

  @ApiProperty({ enum: ACCOUNT_STATES, example: 'pending_invitation' })
  account_state: AccountState;

  @ApiProperty({ type: [String], example: ['role_abc123'] })
  role_ids: string[];

  @ApiProperty({ type: [String], example: ['dept_eng001'] })
  department_ids: string[];

  @ApiProperty({ example: 'org_xyz789' })
  organization_id: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description:
      'The pending invitation link, shown when no invitation email was requested (shared by hand) and only to a ' +
      'caller who may create that invitation (an Admin or Owner; an Owner when it grants the Owner role); else null.',
  })
  invitation_link: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2025-12-22T15:30:00Z' })
  invited_at: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  deactivated_at: string | null;
}
