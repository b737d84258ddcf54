import Fastify, { FastifyInstance } from 'fastify';
import { MetricsService } from './metrics.service.js';

/**
 * `GET /metrics` on its own listener (METRICS_PORT), so the scrape endpoint is never reachable
 * through the API port and its load balancer. createApp starts it and closes it with the app.
 */
export async function startMetricsServer(
  metrics: MetricsService,
  host: string,
  port: number,
): Promise<FastifyInstance> {
  const server = Fastify({ logger: false });
  server.get('/metrics', async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  await server.listen({ host, port });
  return server;
}
