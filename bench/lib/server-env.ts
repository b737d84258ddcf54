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
});
