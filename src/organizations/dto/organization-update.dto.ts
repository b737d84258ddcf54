import { ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { OrganizationCreateDto } from './organization-create.dto.js';

/**
 * Only the fields sent change; neither may be null (both columns are NOT NULL, and
 * `skipNullProperties: false` validates a null like any value).
 */
export class OrganizationUpdateDto extends PartialType(OrganizationCreateDto, { skipNullProperties: false }) {
  @ApiPropertyOptional({ description: 'A new slug; the old one stops resolving at once.' })
  override slug?: string;
}
