import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsOmittable, Trim } from '../../common/validation/field-decorators.js';

/** Only the fields sent change. `description: null` clears it; `name` cannot be null. */
export class DepartmentUpdateDto {
  @ApiPropertyOptional({ example: 'Engineering', minLength: 1, maxLength: 100 })
  @IsOmittable()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'Builds and runs the product.',
    maxLength: 500,
  })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(500)
  description?: string | null;
}
