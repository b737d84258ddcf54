import { ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsObject, ValidateNested } from 'class-validator';
import { IsOmittable } from '../../common/validation/field-decorators.js';
import { INVITE_POLICIES, InvitePolicy } from '../organization.entity.js';
import { AutoJoinUpdateDto } from './auto-join.dto.js';
import { OrganizationCreateDto } from './organization-create.dto.js';

/**
 * Only the fields sent change; none may be null (the columns are NOT NULL, and
 * `skipNullProperties: false` validates a null like any value).
 */
export class OrganizationUpdateDto extends PartialType(OrganizationCreateDto, { skipNullProperties: false }) {
  @ApiPropertyOptional({ description: 'A new slug; the old one stops resolving at once.' })
  override slug?: string;

  @ApiPropertyOptional({
    enum: INVITE_POLICIES,
    example: 'verified_domains_only',
    description:
      '`verified_domains_only`: every invitation must be to an email of a verified domain (EMAIL_DOMAIN_NOT_ALLOWED otherwise).',
  })
  @IsOmittable()
  @IsIn(INVITE_POLICIES)
  invite_policy?: InvitePolicy;

  @ApiPropertyOptional({ type: AutoJoinUpdateDto, description: 'Joining by verified email domain.' })
  @IsOmittable()
  @IsObject()
  @ValidateNested()
  @Type(() => AutoJoinUpdateDto)
  auto_join?: AutoJoinUpdateDto;
}
