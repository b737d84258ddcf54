import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { IsOmittable, RequiredText } from '../../common/validation/field-decorators.js';
import { SLUG_PATTERN } from '../slug.js';

export const SLUG_MESSAGE = 'slug must be 1-64 lowercase letters, digits and inner hyphens';

export class OrganizationCreateDto {
  @RequiredText(200, { example: 'Acme Inc.' })
  name: string;

  @ApiPropertyOptional({
    example: 'acme',
    pattern: SLUG_PATTERN.source,
    maxLength: 64,
    description:
      'URL-safe and unique; derived from the name when omitted. Usable in paths instead of the ID.',
  })
  @IsOmittable()
  @IsString()
  @Matches(SLUG_PATTERN, { message: SLUG_MESSAGE })
  slug?: string;
}
