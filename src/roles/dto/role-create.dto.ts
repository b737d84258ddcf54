import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { Trim } from '../../common/validation/field-decorators.js';

export class RoleCreateDto {
  @ApiProperty({
    example: 'Billing Manager',
    minLength: 1,
    maxLength: 100,
    description: 'Unique in the organization, case-insensitively (system role names included).',
  })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'Manages invoices and payment methods.',
    maxLength: 500,
  })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(500)
  description?: string | null;
}
