import { HttpException } from '@nestjs/common';
import { AppError } from './app-error.js';
import { constraintErrorCode, isDatabaseUnavailable } from './database-errors.js';
import { ErrorCode } from './error-code.js';

/** Statuses that Nest and Fastify raise themselves (unknown route, body parsing, throttling). */
const HTTP_STATUS_CODES: Record<number, ErrorCode> = {
  400: ErrorCode.VALIDATION_ERROR,
  401: ErrorCode.AUTHENTICATION_REQUIRED,
  403: ErrorCode.INSUFFICIENT_PERMISSIONS,
  404: ErrorCode.NOT_FOUND,
  405: ErrorCode.METHOD_NOT_ALLOWED,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  429: ErrorCode.RATE_LIMITED,
  503: ErrorCode.SERVICE_UNAVAILABLE,
};

/**
 * Turns anything thrown anywhere (our code, Nest, Fastify, TypeORM, pg) into the one domain error.
 * Returns `unexpected: true` for faults, which must be logged with their stack.
 */
export function toAppError(exception: unknown): { error: AppError; unexpected: boolean } {
  if (exception instanceof AppError) return { error: exception, unexpected: false };

  // Nest's Fastify adapter hands Fastify's own rejections (body parsing, size, media type) to
  // the filters as HttpExceptions carrying Fastify's status.
  if (exception instanceof HttpException && HTTP_STATUS_CODES[exception.getStatus()]) {
    const code = HTTP_STATUS_CODES[exception.getStatus()];
    if (code === ErrorCode.VALIDATION_ERROR) {
      const msg = /json/i.test(exception.message) ? 'The request body is not valid JSON.' : 'The request body is invalid.';
      return { error: AppError.validation([{ loc: ['body'], msg, type: 'json_invalid' }], msg), unexpected: false };
    }
    return { error: new AppError(code), unexpected: false };
  }

  const known = constraintErrorCode(exception);
  if (known) return { error: new AppError(known), unexpected: false };
  if (isDatabaseUnavailable(exception)) {
    return { error: new AppError(ErrorCode.SERVICE_UNAVAILABLE), unexpected: true };
  }
  return { error: new AppError(ErrorCode.INTERNAL_ERROR), unexpected: true };
}
