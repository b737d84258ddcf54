import { ApiProperty } from '@nestjs/swagger';
import { ErrorCode } from '../errors/error-code.js';

/** One field error, in the org-slug page's vocabulary (and in `details.errors` of a VALIDATION_ERROR). */
export class FieldErrorDto {
  @ApiProperty({
    type: 'array',
    items: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
    description: 'Where the validation error occurred',
    example: ['body', 'email'],
  })
  loc: (string | number)[];

  @ApiProperty({ description: 'Human-readable validation message', example: 'email must be an email' })
  msg: string;

  @ApiProperty({ description: 'Machine-readable validation error type', example: 'is_email' })
  type: string;
}

export class ErrorBodyDto {
  // An enum, so generated clients can switch over the codes; adding a code changes openapi.json.
  @ApiProperty({
    enum: ErrorCode,
    enumName: 'ErrorCode',
    example: ErrorCode.USER_ALREADY_EXISTS,
    description: 'Stable machine-readable error code.',
  })
  code: ErrorCode;

  @ApiProperty({ example: 'An account with this email already exists.' })
  message: string;

  @ApiProperty({ example: 'an account with this email already exists.' })
  system_message: string;

  @ApiProperty({ enum: ['client_error', 'server_error'], example: 'client_error' })
  type: 'client_error' | 'server_error';

  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599, example: 409, description: 'The HTTP status.' })
  status: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Facts about the error, by code; `errors` (field errors) for VALIDATION_ERROR.',
    example: { email: 'jane@example.com', organization_id: 'org_xyz789' },
    properties: { errors: { type: 'array', items: { $ref: '#/components/schemas/FieldErrorDto' } } },
  })
  details: Record<string, unknown>;

  @ApiProperty({ example: 'abc-123-def', description: 'Equals the X-Request-Id response header.' })
  trace_id: string;

  @ApiProperty({ example: '2025-12-22T15:30:00Z', format: 'date-time' })
  timestamp: string;
}

/** The canonical error envelope: every route's errors except the org-slug surface's. */
export class ErrorEnvelopeDto {
  @ApiProperty({ enum: [false], example: false })
  success: false;

  @ApiProperty({ type: ErrorBodyDto })
  error: ErrorBodyDto;
}

/** The org-slug surface's error envelope ("Canonical API error envelope returned by the API"). */
export class OrgSlugErrorDto {
  @ApiProperty({ type: 'integer', description: 'HTTP status code', example: 401 })
  code: number;

  @ApiProperty({ description: 'Human-readable error message', example: 'Authentication failed' })
  detail: string;

  @ApiProperty({ description: 'Stable machine-readable error type', example: 'authentication_error' })
  type: string;

  @ApiProperty({ type: [FieldErrorDto], description: 'Field errors (empty unless the request was invalid).' })
  errors: FieldErrorDto[];
}
