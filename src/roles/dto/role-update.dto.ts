import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsOmittable, Trim } from '../../common/validation/field-decorators.js';

/** Only the fields sent change. `description: null` clears it; `name` cannot be null. The key never changes. */
export class RoleUpdateDto {
  @ApiPropertyOptional({ example: 'Billing Manager', minLength: 1, maxLength: 100 })
  @IsOmittable()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name?: string;

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
