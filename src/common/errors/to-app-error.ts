import { HttpException } from '@nestjs/common';
import { AppError } from './app-error.js';
import { constraintErrorCode, isDatabaseUnavailable, isUnstorableText } from './database-errors.js';
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
export function toAppError(
  exception: unknown,
  pendingHeaders: Record<string, unknown> = {},
): { error: AppError; unexpected: boolean } {
  const result = convert(exception);
  return result.error.status === 429
    ? { ...result, error: withRetryAfter(result.error, pendingHeaders) }
    : result;
}

/** When a 429 does not say how long to wait (e.g. a bare ThrottlerException). */
export const DEFAULT_RETRY_AFTER_SECONDS = 60;

/**
 * Every 429 carries `Retry-After` in whole seconds: the error's own, else the one @nestjs/throttler
 * set on the reply before throwing (`Retry-After` or `Retry-After-<throttler>`), else the default.
 */
function withRetryAfter(error: AppError, pendingHeaders: Record<string, unknown>): AppError {
  if (Object.keys(error.headers).some((name) => name.toLowerCase() === 'retry-after')) return error;
  const fromReply = Object.entries(pendingHeaders)
    .filter(([name]) => /^retry-after(-.+)?$/i.test(name))
    .map(([, value]) => Math.ceil(Number(value)))
    .filter((seconds) => Number.isFinite(seconds) && seconds > 0);
  const seconds = fromReply.length > 0 ? Math.max(...fromReply) : DEFAULT_RETRY_AFTER_SECONDS;
  return new AppError(error.code, error.message, error.details, {
    ...error.headers,
    'Retry-After': String(seconds),
  });
}

function convert(exception: unknown): { error: AppError; unexpected: boolean } {
  if (exception instanceof AppError) return { error: exception, unexpected: false };

  // Nest's Fastify adapter hands Fastify's own rejections (body parsing, size, media type) to
  // the filters as HttpExceptions carrying Fastify's status.
  if (exception instanceof HttpException && HTTP_STATUS_CODES[exception.getStatus()]) {
    const code = HTTP_STATUS_CODES[exception.getStatus()];
    if (code === ErrorCode.VALIDATION_ERROR) {
      const msg = /json/i.test(exception.message)
        ? 'The request body is not valid JSON.'
        : 'The request body is invalid.';
      return {
        error: AppError.validation([{ loc: ['body'], msg, type: 'json_invalid' }], msg),
        unexpected: false,
      };
    }
    return { error: new AppError(code), unexpected: false };
  }

  // Fastify's router, before any route: a path segment that is not valid URL encoding, or one
  // longer than any ID or slug can be (so it names nothing).
  const fastifyCode = (exception as { code?: unknown } | undefined)?.code;
  if (fastifyCode === 'FST_ERR_BAD_URL') {
    const msg = 'The URL path is not valid percent-encoding.';
    return {
      error: AppError.validation([{ loc: ['path'], msg, type: 'url_invalid' }], msg),
      unexpected: false,
    };
  }
  if (fastifyCode === 'FST_ERR_MAX_PARAM_LENGTH')
    return { error: new AppError(ErrorCode.NOT_FOUND), unexpected: false };

  const known = constraintErrorCode(exception);
  if (known) return { error: new AppError(known), unexpected: false };
  if (isUnstorableText(exception)) {
    const msg = 'The request contains a character that cannot be stored (such as U+0000).';
    return {
      error: AppError.validation([{ loc: ['request'], msg, type: 'string_unicode' }], msg),
      unexpected: false,
    };
  }
  if (isDatabaseUnavailable(exception)) {
    return { error: new AppError(ErrorCode.SERVICE_UNAVAILABLE), unexpected: true };
  }
  return { error: new AppError(ErrorCode.INTERNAL_ERROR), unexpected: true };
}
