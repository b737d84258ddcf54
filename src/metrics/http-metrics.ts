import type { FastifyInstance } from 'fastify';
import { MetricsService } from './metrics.service.js';

/** The label for requests no route matched (404s), so raw URLs never become label values. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Observes every answered request under its route template (`/v1/organizations/:organization_id`). */
export function instrumentRequests(fastify: FastifyInstance, metrics: MetricsService): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.httpRequestDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? UNMATCHED_ROUTE,
        status_code: reply.statusCode,
      },
      reply.elapsedTime / 1000,
    );
    done();
  });
}
