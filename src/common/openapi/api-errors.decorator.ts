import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorEnvelopeDto, Seed002ErrorDto } from './error-envelope.dto.js';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (VALIDATION_ERROR with field errors)',
  401: 'Missing or invalid API key (AUTHENTICATION_REQUIRED, INVALID_API_KEY)',
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

/** Every route can answer these, whatever it does. */
export const COMMON_ERROR_STATUSES = [400, 429, 500, 503];

/** Declares error responses with the canonical envelope (or seed 002's), with optional per-status descriptions. */
export function ApiErrors(statuses: number[], options: { seed002?: boolean; descriptions?: Record<number, string> } = {}) {
  const type = options.seed002 ? Seed002ErrorDto : ErrorEnvelopeDto;
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: options.descriptions?.[status] ?? DESCRIPTIONS[status] ?? 'Error', type }),
    ),
  );
}
