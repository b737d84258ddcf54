import { HttpException } from '@nestjs/common';
import { AppError } from './app-error.js';
import { constraintErrorCode, isDatabaseUnavailable } from './database-errors.js';
import { ErrorCode } from './error-code.js';

/** Fastify's own error codes for requests it rejects before a handler runs. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ErrorCode.PAYLOAD_TOO_LARGE,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ErrorCode.VALIDATION_ERROR,
  FST_ERR_CTP_EMPTY_JSON_BODY: ErrorCode.VALIDATION_ERROR,
  FST_ERR_CTP_INVALID_JSON_BODY: ErrorCode.VALIDATION_ERROR,
};

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
 * Returns `unexpected: true` when it was a fault that must be logged with its stack.
 */
export function toAppError(exception: unknown): { error: AppError; unexpected: boolean } {
  if (exception instanceof AppError) return { error: exception, unexpected: false };

  const fastifyCode = (exception as { code?: unknown })?.code;
  if (typeof fastifyCode === 'string' && FASTIFY_CODES[fastifyCode]) {
    const code = FASTIFY_CODES[fastifyCode];
    if (code === ErrorCode.VALIDATION_ERROR) {
      const msg = fastifyCode === 'FST_ERR_CTP_INVALID_JSON_BODY' ? 'The request body is not valid JSON.' : 'The request body is invalid.';
      return { error: AppError.validation([{ loc: ['body'], msg, type: 'json_invalid' }], msg), unexpected: false };
    }
    return { error: new AppError(code), unexpected: false };
  }
  // A body that fails JSON.parse inside Fastify's parser surfaces as a SyntaxError with status 400.
  if (exception instanceof SyntaxError && (exception as { statusCode?: number }).statusCode === 400) {
    const msg = 'The request body is not valid JSON.';
    return { error: AppError.validation([{ loc: ['body'], msg, type: 'json_invalid' }], msg), unexpected: false };
  }

  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const code = HTTP_STATUS_CODES[status];
    if (code) {
      const headers: Record<string, string> = {};
      if (code === ErrorCode.RATE_LIMITED) headers['Retry-After'] = '60';
      return { error: new AppError(code, undefined, {}, headers), unexpected: false };
    }
  }

  const known = constraintErrorCode(exception);
  if (known) return { error: new AppError(known), unexpected: false };
  if (isDatabaseUnavailable(exception)) {
    return { error: new AppError(ErrorCode.SERVICE_UNAVAILABLE), unexpected: true };
  }

  const status = (exception as { statusCode?: unknown })?.statusCode;
  if (typeof status === 'number' && HTTP_STATUS_CODES[status] && status < 500) {
    return { error: new AppError(HTTP_STATUS_CODES[status]), unexpected: false };
  }
  return { error: new AppError(ErrorCode.INTERNAL_ERROR), unexpected: true };
}
