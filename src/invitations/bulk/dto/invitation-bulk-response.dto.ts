import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { InvitationResponseDto } from '../../dto/invitation-response.dto.js';

/** A row's error: the `code`, `message` and `details` the single create would have answered for it. */
export class InvitationBulkRowErrorDto {
  @ApiProperty({ example: 'USER_ALREADY_EXISTS' })
  code: string;

  @ApiProperty({ example: 'An account with this email already exists.' })
  message: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { email: 'jane@example.com', organization_id: 'org_xyz789' },
  })
  details: Record<string, unknown>;
}

/** One row's outcome, at its index in the request (0-based; for CSV, the data rows after the header). */
export class InvitationBulkResultDto {
  @ApiProperty({ example: 0, minimum: 0 })
  index: number;

  @ApiProperty({ enum: ['created', 'error'], example: 'created' })
  status: 'created' | 'error';

  @ApiPropertyOptional({ type: InvitationResponseDto, description: 'When `status` is `created`.' })
  invitation?: InvitationResponseDto;

  @ApiPropertyOptional({ type: InvitationBulkRowErrorDto, description: 'When `status` is `error`.' })
  error?: InvitationBulkRowErrorDto;
}

export class InvitationBulkResponseDto {
  @ApiProperty({ example: 950, description: 'Rows created.' })
  created: number;

  @ApiProperty({ example: 50, description: 'Rows that failed.' })
  failed: number;

  @ApiProperty({ type: [InvitationBulkResultDto], description: 'Every row, in input order.' })
  results: InvitationBulkResultDto[];
}
