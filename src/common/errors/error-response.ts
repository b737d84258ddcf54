import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './app-error.js';
import { renderCanonical, renderOrgSlug, RenderedError } from './error-envelope.js';
import { methodNotAllowed } from './method-not-allowed.js';
import { toAppError } from './to-app-error.js';

/**
 * The org-slug routes (`/api/v1/org/{slug}/…`) render errors in the envelope their published page
 * documents; every other route uses the canonical one.
 */
export const ORG_SLUG_ROUTE_PREFIX = '/api/';

/** The error as the route at `path` answers it; the OpenAPI document renders its examples with this too. */
export function renderForPath(path: string, error: AppError, traceId: string): RenderedError {
  return path.startsWith(ORG_SLUG_ROUTE_PREFIX) ? renderOrgSlug(error) : renderCanonical(error, traceId);
}

export function renderFor(request: FastifyRequest, error: AppError): RenderedError {
  return renderForPath(request.url, error, String(request.id));
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
