import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsNotEmpty, IsObject, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { IsOmittable, Trim } from '../../common/validation/field-decorators.js';
import { INVITE_POLICIES, InvitePolicy } from '../organization.entity.js';
import { SLUG_PATTERN } from '../slug.js';
import { AutoJoinUpdateDto } from './auto-join.dto.js';
import { SLUG_MESSAGE } from './organization-create.dto.js';

/** Only the fields sent change; none may be null (the columns are NOT NULL). */
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
