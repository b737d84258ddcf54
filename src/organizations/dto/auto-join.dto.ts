import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import { ApiId, IsPrefixedId } from '../../common/ids/id-param.js';
import { IsOmittable } from '../../common/validation/field-decorators.js';

/** How the organization shows its auto-join setting. */
export class AutoJoinDto {
  @ApiProperty({
    example: false,
    description: 'Users whose verified email is on one of the verified domains may join by themselves.',
  })
  enabled: boolean;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'role_member01',
    description: 'The role they get (never Owner).',
  })
  role_id: string | null;
}

export class AutoJoinUpdateDto {
  @ApiProperty({ example: true })
  @IsBoolean()
  enabled: boolean;

  @ApiId('role', {
    required: false,
    description:
      'The role a user who joins gets; never the Owner role. Omitted: the current one, else Member.',
  })
  @IsOmittable()
  @IsPrefixedId('role')
  role_id?: string;
}
