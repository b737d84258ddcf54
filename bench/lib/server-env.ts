import type { FastifyInstance } from 'fastify';
import pg from 'pg';

/** What the baseline and the floor read from the environment the bench gives them, as the app does. */
export const secret = process.env.INVITATION_SECRET ?? '';
export const publicAppUrl = (process.env.PUBLIC_APP_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
export const ttlDays = Number(process.env.INVITATION_TTL_DAYS ?? 7);
export const maxApiKeysPerUser = Number(process.env.MAX_API_KEYS_PER_USER ?? 25);
export const messageIdHost = new URL(publicAppUrl).hostname;

/** The app's pool settings (src/database/data-source-options.ts), so neither server wins by pool size. */
export const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DATABASE_POOL_MAX ?? 20),
  connectionTimeoutMillis: 5000,
  idleTimeoutMillis: 30000,
  // As the app's pool (TransactionPipeliningClient): the baseline sends a transaction's opening statement with its first.
  pipeline: true,
  // As the app's sessions (src/database/session-options.ts): prepared statements on generic plans.
  options: [process.env.PGOPTIONS, '-c plan_cache_mode=force_generic_plan'].filter(Boolean).join(' '),
});

/**
 * Listens on PORT (else `defaultPort`) and HOST, and on SIGTERM/SIGINT closes the server and the
 * pool before exiting: how the baseline and the floor run.
 */
export function serve(app: FastifyInstance, name: string, defaultPort: number): void {
  const shutdown = () => {
    void app
      .close()
      .then(() => pool.end())
      .then(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  app
    .listen({ port: Number(process.env.PORT ?? defaultPort), host: process.env.HOST ?? '127.0.0.1' })
    .catch((error: unknown) => {
      process.stderr.write(`${name} failed to start: ${String(error)}\n`);
      process.exit(1);
    });
}
