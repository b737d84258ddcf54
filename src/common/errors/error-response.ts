import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './app-error.js';
import { renderCanonical, renderSeed002, RenderedError } from './error-envelope.js';
import { methodNotAllowed } from './method-not-allowed.js';
import { toAppError } from './to-app-error.js';

/** Seed 002's surface renders errors in its own documented envelope; every other route uses seed 001's. */
export const SEED002_ROUTE_PREFIX = '/api/';

export function renderFor(request: FastifyRequest, error: AppError): RenderedError {
  return request.url.startsWith(SEED002_ROUTE_PREFIX)
    ? renderSeed002(error)
    : renderCanonical(error, String(request.id));
}

/**
 * The single place that writes an error response. Used by the Nest filter and by Fastify's own
 * error and not-found handlers, so errors raised before Nest routing look exactly the same.
 */
export function sendError(request: FastifyRequest, reply: FastifyReply, exception: unknown): void {
  const { error, unexpected } = toAppError(
    methodNotAllowed(request, exception) ?? exception,
    reply.getHeaders(),
  );
  if (unexpected) {
    request.log.error({ err: exception, trace_id: request.id }, 'request failed: %s', error.code);
  }
  const rendered = renderFor(request, error);
  if (reply.sent) return;
  reply
    .status(rendered.status)
    .headers(error.headers)
    .header('content-type', 'application/json; charset=utf-8');
  reply.send(rendered.body);
}
