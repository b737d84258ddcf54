import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiProperty({ type: 'array', items: { oneOf: [{ type: 'string' }, { type: 'integer' }] }, example: ['body', 'email'] })
  loc: (string | number)[];

  @ApiProperty({ example: 'email must be an email' })
  msg: string;

  @ApiProperty({ example: 'is_email' })
  type: string;
}

export class ErrorDetailsDto {
  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Field errors, for VALIDATION_ERROR.' })
  errors?: FieldErrorDto[];

  [key: string]: unknown;
}

export class ErrorBodyDto {
  @ApiProperty({ example: 'USER_ALREADY_EXISTS', description: 'Stable machine-readable error code.' })
  code: string;

  @ApiProperty({ example: 'An account with this email already exists.' })
  message: string;

  @ApiProperty({ example: 'an account with this email already exists.' })
  system_message: string;

  @ApiProperty({ enum: ['client_error', 'server_error'], example: 'client_error' })
  type: 'client_error' | 'server_error';

  @ApiProperty({ example: 409 })
  status: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { email: 'jane@example.com', organization_id: 'org_xyz789' },
    properties: { errors: { type: 'array', items: { $ref: '#/components/schemas/FieldErrorDto' } } },
  })
  details: Record<string, unknown>;

  @ApiProperty({ example: 'abc-123-def', description: 'Equals the X-Request-Id response header.' })
  trace_id: string;

  @ApiProperty({ example: '2025-12-22T15:30:00Z', format: 'date-time' })
  timestamp: string;
}

/** Seed 001's error envelope: every route's errors except seed 002's surface. */
export class ErrorEnvelopeDto {
  @ApiProperty({ enum: [false], example: false })
  success: false;

  @ApiProperty({ type: ErrorBodyDto })
  error: ErrorBodyDto;
}

/** Seed 002's error envelope ("Canonical API error envelope returned by the API"). */
export class Seed002ErrorDto {
  @ApiProperty({ description: 'HTTP status code', example: 401 })
  code: number;

  @ApiProperty({ description: 'Human-readable error message', example: 'Authentication failed' })
  detail: string;

  @ApiProperty({ description: 'Stable machine-readable error type', example: 'authentication_error' })
  type: string;

  @ApiProperty({ type: [FieldErrorDto] })
  errors: FieldErrorDto[];
}
