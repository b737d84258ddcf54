import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  ValidateNested,
} from 'class-validator';
import { IsOmittable } from '../../../common/validation/field-decorators.js';
import {
  CustomMessage,
  DepartmentIds,
  ExpiresInDays,
  FullName,
  InviteeEmail,
  RoleIds,
  SendInvitation,
} from '../../dto/invitation-fields.js';

export const MAX_BULK_ROWS = 1000;

/**
 * One row of a bulk request: the fields of a single create except `send_invitation`, which is the
 * request's. Validated row by row (not by the request's pipe), so a bad row fails alone.
 */
export class InvitationBulkRowDto {
  @InviteeEmail()
  email: string;

  @FullName()
  full_name?: string | null;

  @RoleIds({ noDefault: true })
  role_ids?: string[];

  @DepartmentIds({ noDefault: true })
  department_ids?: string[];

  @CustomMessage()
  custom_message?: string | null;

  @ExpiresInDays()
  expires_in_days?: number;
}

/** What every row gets unless it sets the field itself. */
export class InvitationBulkDefaultsDto {
  @RoleIds({ noDefault: true })
  role_ids?: string[];

  @DepartmentIds({ noDefault: true })
  department_ids?: string[];

  @CustomMessage()
  custom_message?: string | null;

  @ExpiresInDays()
  expires_in_days?: number;
}

/** `createInvitationsBulk` with a JSON body. */
export class InvitationBulkRequestDto {
  @ApiProperty({
    type: [InvitationBulkRowDto],
    minItems: 1,
    maxItems: MAX_BULK_ROWS,
    description:
      'The invitations, 1–1000. Each row is checked on its own: a bad row is reported in `results` and fails alone.',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BULK_ROWS)
  @IsObject({ each: true, message: 'each row must be a JSON object' })
  invitations: Record<string, unknown>[];

  @ApiPropertyOptional({
    type: InvitationBulkDefaultsDto,
    description: 'Merged into every row: a field the row sets itself wins.',
  })
  @IsOmittable()
  @IsObject()
  @ValidateNested()
  @Type(() => InvitationBulkDefaultsDto)
  defaults?: InvitationBulkDefaultsDto;

  @SendInvitation('Whether to send the invitation emails (for every row).')
  send_invitation?: boolean;
}

/** The query of `createInvitationsBulk`: how a CSV body says whether to send (a JSON body may say it in the body). */
export class InvitationBulkQueryDto {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    default: 'true',
    description:
      'Whether to send the invitation emails. For a JSON body, its `send_invitation` wins when set.',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  send_invitation?: 'true' | 'false';
}
