import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { IsOmittable, Trim } from '../../common/validation/field-decorators.js';
import { SLUG_PATTERN } from '../slug.js';
import { SLUG_MESSAGE } from './organization-create.dto.js';

/** Only the fields sent change; neither may be null (both columns are NOT NULL). */
export class OrganizationUpdateDto {
  @ApiPropertyOptional({ example: 'Acme Inc.', minLength: 1, maxLength: 200 })
  @IsOmittable()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({
    example: 'acme',
    pattern: SLUG_PATTERN.source,
    maxLength: 64,
    description: 'A new slug; the old one stops resolving at once.',
  })
  @IsOmittable()
  @IsString()
  @Matches(SLUG_PATTERN, { message: SLUG_MESSAGE })
  slug?: string;
}
