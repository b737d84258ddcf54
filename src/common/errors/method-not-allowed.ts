import { NotFoundException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppError } from './app-error.js';
import { ErrorCode } from './error-code.js';

/** The methods an `Allow` header can name (CORS preflights are answered in a hook, by no route). */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * Nest's not-found handler throws a NotFoundException for every request no route takes. When the path
 * exists for other methods, that is a 405 with `Allow` naming them (RFC 9110 §15.5.6) rather than a
 * 404. The methods come from Fastify's own route table, so the answer cannot disagree with the routes.
 */
export function methodNotAllowed(request: FastifyRequest, exception: unknown): AppError | undefined {
  if (!(exception instanceof NotFoundException)) return undefined;
  const allowed = METHODS.filter((method) => request.server.findRoute({ method, url: request.url }) !== null);
  if (allowed.length === 0) return undefined;
  return new AppError(
    ErrorCode.METHOD_NOT_ALLOWED,
    undefined,
    { method: request.method, allowed_methods: allowed },
    { Allow: allowed.join(', ') },
  );
}
