import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray } from 'class-validator';
import { IsPrefixedId } from '../../common/ids/id-param.js';
import { idPattern } from '../../common/ids/ids.js';

/**
 * PUT semantics: both sets are required and replace the member's current ones. Duplicates are
 * ignored. A member must hold at least one role, so an empty `role_ids` is a 400 rather than a
 * silent fallback: pass the Member role's ID to take away administrative power.
 */
export class MembershipUpdateDto {
  @ApiProperty({
    type: [String],
    items: { type: 'string', pattern: idPattern('role').source },
    minItems: 1,
    maxItems: 50,
    example: ['role_abc123'],
    description:
      "The member's roles from now on (at least one; each a role of this organization). Granting or removing the " +
      'Owner role, or changing an Owner, requires the caller to be an Owner.',
  })
  @IsArray()
  @ArrayMinSize(1, {
    message: 'role_ids must contain at least one role (use the Member role for no administrative power)',
  })
  @ArrayMaxSize(50)
  @IsPrefixedId('role', { each: true })
  role_ids: string[];

  @ApiProperty({
    type: [String],
    items: { type: 'string', pattern: idPattern('dept').source },
    maxItems: 100,
    example: ['dept_eng001'],
    description:
      "The member's departments from now on (may be empty; each a department of this organization).",
  })
  @IsArray()
  @ArrayMaxSize(100)
  @IsPrefixedId('dept', { each: true })
  department_ids: string[];
}
