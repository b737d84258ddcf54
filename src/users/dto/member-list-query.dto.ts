import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { MAX_EMAIL_LENGTH } from '../../common/email/email-address.js';
import { IsNormalizedEmail } from '../../common/email/email-field.js';
import { IsPrefixedId } from '../../common/ids/id-param.js';
import { idPattern } from '../../common/ids/ids.js';
import { PageQueryDto } from '../../common/pagination/pagination.js';
import { ACCOUNT_STATES, AccountState } from '../membership.entity.js';

/** Filters combine with AND; a filter naming a role or department the organization lacks matches no one. */
export class MemberListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ACCOUNT_STATES, description: 'Only members in this state.' })
  @IsOptional()
  @IsIn(ACCOUNT_STATES)
  account_state?: AccountState;

  @ApiPropertyOptional({
    pattern: idPattern('role').source,
    example: 'role_abc123',
    description: 'Only members holding this role.',
  })
  @IsOptional()
  @IsPrefixedId('role')
  role_id?: string;

  @ApiPropertyOptional({
    pattern: idPattern('dept').source,
    example: 'dept_eng001',
    description: 'Only members of this department.',
  })
  @IsOptional()
  @IsPrefixedId('dept')
  department_id?: string;

  @ApiPropertyOptional({
    maxLength: MAX_EMAIL_LENGTH,
    example: 'jane@example.com',
    description:
      'Only the member with exactly this email (normalised as every email is: trimmed, NFC, IDNA domain, compared case-insensitively).',
  })
  @IsOptional()
  @IsNormalizedEmail()
  email?: string;
}
