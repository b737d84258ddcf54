import { ApiProperty } from '@nestjs/swagger';
import { iso } from '../../common/http/timestamps.js';
import { INVITE_POLICIES, InvitePolicy, Organization } from '../organization.entity.js';
import { AutoJoinDto } from './auto-join.dto.js';

export class OrganizationResponseDto {
  @ApiProperty({ example: 'org_xyz789' })
  id: string;

  @ApiProperty({ example: 'Acme Inc.' })
  name: string;

  @ApiProperty({ example: 'acme' })
  slug: string;

  @ApiProperty({ enum: INVITE_POLICIES, example: 'any', description: 'Whom the organization may invite.' })
  invite_policy: InvitePolicy;

  @ApiProperty({ type: AutoJoinDto })
  auto_join: AutoJoinDto;

  @ApiProperty({ format: 'date-time', example: '2026-01-05T10:30:00Z' })
  created_at: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-05T10:30:00Z' })
  updated_at: string;

  static from(org: Organization): OrganizationResponseDto {
    return {
      id: org.id,
      name: org.name,
      slug: org.slug,
      invite_policy: org.invitePolicy,
      auto_join: { enabled: org.autoJoinEnabled, role_id: org.autoJoinRoleId },
      created_at: iso(org.createdAt),
      updated_at: iso(org.updatedAt),
    };
  }
}
