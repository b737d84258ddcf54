import { DECORATORS } from '@nestjs/swagger';
import { ErrorCode } from '../errors/error-code.js';

/** The operation extension that carries an operation's declared codes to src/openapi/complete-operations.ts. */
export const ERROR_CODES_EXTENSION = 'x-error-codes';

/**
 * Codes every route can answer, whatever it does (a malformed query or header, a rate limit, an
 * unexpected fault, the database away): the document adds them to every operation, so routes
 * declare only their own.
 */
export const COMMON_ERROR_CODES: readonly ErrorCode[] = [
  ErrorCode.VALIDATION_ERROR,
  ErrorCode.RATE_LIMITED,
  ErrorCode.INTERNAL_ERROR,
  ErrorCode.SERVICE_UNAVAILABLE,
];

/** Routes whose method may carry a body can also get these from the body parser, before any controller runs. */
export const BODY_ERROR_CODES: readonly ErrorCode[] = [
  ErrorCode.PAYLOAD_TOO_LARGE,
  ErrorCode.UNSUPPORTED_MEDIA_TYPE,
];

/**
 * Declares the error codes a route can answer with, beyond COMMON_ERROR_CODES. The OpenAPI
 * document groups them by the status each renders with on the route's surface, in that surface's
 * envelope, and writes each response's description and examples from them. Declarations add up:
 * `@Access` declares what the AuthGuard can answer, the route its own codes.
 */
export function ApiErrors(...codes: ErrorCode[]): MethodDecorator {
  return (_target, key, descriptor) => {
    if (!descriptor) throw new Error(`@ApiErrors goes on a route method, not on ${String(key)}`);
    const handler = descriptor.value as object;
    const extensions = (Reflect.getMetadata(DECORATORS.API_EXTENSION, handler) ?? {}) as Record<
      string,
      unknown
    >;
    const declared = (extensions[ERROR_CODES_EXTENSION] ?? []) as ErrorCode[];
    Reflect.defineMetadata(
      DECORATORS.API_EXTENSION,
      { ...extensions, [ERROR_CODES_EXTENSION]: [...new Set([...declared, ...codes])] },
      handler,
    );
    return descriptor;
  };
}
