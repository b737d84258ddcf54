import { ApiProperty } from '@nestjs/swagger';
import { ACCOUNT_STATES, AccountState } from '../membership.entity.js';

export class MeUserDto {
  @ApiProperty({ example: 'usr_abc123def456' })
  id: string;

  @ApiProperty({ example: 'jane@example.com' })
  email: string;

  @ApiProperty({ type: String, nullable: true, example: 'Jane Doe' })
  full_name: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  user_name: string | null;

  @ApiProperty({
    example: true,
    description:
      'Whether the account has proven it controls its email (an emailed code, or the bootstrap CLI). Until then it ' +
      'joins another organization only with a code sent to that address.',
  })
  email_verified: boolean;

  @ApiProperty({ format: 'date-time', example: '2026-01-05T10:30:00Z' })
  created_at: string;
}

export class MeMembershipDto {
  @ApiProperty({ example: 'org_xyz789' })
  organization_id: string;

  @ApiProperty({ example: 'Acme Inc.' })
  organization_name: string;

  @ApiProperty({ example: 'acme' })
  organization_slug: string;

  @ApiProperty({ enum: ACCOUNT_STATES, example: 'active' })
  account_state: AccountState;

  @ApiProperty({ type: [String], example: ['role_abc123'] })
  role_ids: string[];

  @ApiProperty({ type: [String], example: ['dept_eng001'] })
  department_ids: string[];
}

export class MeResponseDto {
  @ApiProperty({ type: MeUserDto })
  user: MeUserDto;

  @ApiProperty({ type: [MeMembershipDto] })
  memberships: MeMembershipDto[];
}
