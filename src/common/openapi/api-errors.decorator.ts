import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorEnvelopeDto, Seed002ErrorDto } from './error-envelope.dto.js';

/** Default descriptions; a route passes its own when it knows which codes it returns. */
export const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (VALIDATION_ERROR with field errors)',
  401: 'Missing or invalid credentials (AUTHENTICATION_REQUIRED, INVALID_API_KEY, INVALID_TOKEN, TOKEN_EXPIRED)',
  403: 'The caller lacks the required role (INSUFFICIENT_PERMISSIONS)',
  404: 'Not found',
  409: 'Conflict with the current state',
  410: 'Gone',
  413: 'Body larger than 1 MB (PAYLOAD_TOO_LARGE)',
  415: 'Body is not application/json (UNSUPPORTED_MEDIA_TYPE)',
  422: 'Validation error',
  429: 'Rate limited (RATE_LIMITED); see Retry-After',
  500: 'Unexpected error (INTERNAL_ERROR)',
  503: 'A dependency is unavailable (SERVICE_UNAVAILABLE)',
};

/**
 * Every route can answer these, whatever it does (a malformed query or header, the per-key rate
 * limit, an unexpected fault, the database away). The OpenAPI document adds them to every
 * operation (src/openapi/complete-operations.ts), so controllers declare only their own statuses.
 */
export const COMMON_ERROR_STATUSES = [400, 429, 500, 503];

/** Routes that may carry a body can also get these from the body parser, before any controller runs. */
export const BODY_ERROR_STATUSES = [413, 415];

/** Declares error responses with the canonical envelope (or seed 002's), with optional per-status descriptions. */
export function ApiErrors(
  statuses: number[],
  options: { seed002?: boolean; descriptions?: Record<number, string> } = {},
) {
  const type = options.seed002 ? Seed002ErrorDto : ErrorEnvelopeDto;
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: options.descriptions?.[status] ?? ERROR_DESCRIPTIONS[status] ?? 'Error',
        type,
      }),
    ),
  );
}
