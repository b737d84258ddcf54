import { ApiProperty } from '@nestjs/swagger';
import { iso } from '../../common/http/timestamps.js';
import { Department } from '../department.entity.js';

export class DepartmentResponseDto {
  @ApiProperty({ example: 'dept_eng001' })
  id: string;

  @ApiProperty({ example: 'org_xyz789' })
  organization_id: string;

  @ApiProperty({ example: 'Engineering' })
  name: string;

  @ApiProperty({ type: String, nullable: true, example: 'Builds and runs the product.' })
  description: string | null;

  @ApiProperty({ format: 'date-time', example: '2026-01-05T10:30:00Z' })
  created_at: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-05T10:30:00Z' })
  updated_at: string;

  static from(department: Department): DepartmentResponseDto {
    return {
      id: department.id,
      organization_id: department.organizationId,
      name: department.name,
      description: department.description,
      created_at: iso(department.createdAt),
      updated_at: iso(department.updatedAt),
    };
  }
}
