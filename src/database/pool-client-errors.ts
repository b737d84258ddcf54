import type { Logger } from 'pino';
import { DataSource } from 'typeorm';

interface EventSource {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

/**
 * Gives every pooled PostgreSQL client a permanent 'error' listener.
 *
 * Why: TypeORM attaches its listener to a client a microtask after the pool hands it over. When
 * the server kills a connection right after accepting it (restart, failover, pg_terminate_backend),
 * the "terminating connection" message can arrive in that gap, and an 'error' event without a
 * listener throws from the socket handler: the whole process would crash. The error still reaches
 * the query that was running (it fails with a 503), and the pool drops the broken client on
 * release, so listening here loses nothing.
 */
export function guardPoolClientErrors(dataSource: DataSource, logger: Logger): void {
  const pool = (dataSource.driver as unknown as { master?: EventSource & { _clients?: EventSource[] } })
    .master;
  if (!pool) return;
  const listen = (client: EventSource) =>
    client.on('error', (error) =>
      logger.debug({ context: 'database', err: error }, 'pooled connection failed'),
    );
  pool.on('connect', (client) => listen(client as EventSource));
  // Clients TypeORM opened while initializing, before this listener existed.
  for (const client of pool._clients ?? []) listen(client);
}
