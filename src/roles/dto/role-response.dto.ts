import { ApiProperty } from '@nestjs/swagger';
import { iso } from '../../common/http/timestamps.js';
import { Role } from '../role.entity.js';

export class RoleResponseDto {
  @ApiProperty({ example: 'role_abc123' })
  id: string;

  @ApiProperty({ example: 'org_xyz789' })
  organization_id: string;

  @ApiProperty({
    example: 'billing-manager',
    description:
      '`owner`, `admin` or `member` for the system roles; for a custom role, a slug of its name at creation.',
  })
  key: string;

  @ApiProperty({ example: 'Billing Manager' })
  name: string;

  @ApiProperty({ type: String, nullable: true, example: 'Manages invoices and payment methods.' })
  description: string | null;

  @ApiProperty({
    example: false,
    description: 'System roles (Owner, Admin, Member) cannot be changed or deleted.',
  })
  is_system: boolean;

  @ApiProperty({ format: 'date-time', example: '2026-01-05T10:30:00Z' })
  created_at: string;

  static from(role: Role): RoleResponseDto {
    return {
      id: role.id,
      organization_id: role.organizationId,
      key: role.key,
      name: role.name,
      description: role.description,
      is_system: role.isSystem,
      created_at: iso(role.createdAt),
    };
  }
}
