import { Client } from 'pg';
import { testServer } from '../../support/database.js';

/** The database name in a connection URL. */
export function databaseName(url: string): string {
  return new URL(url).pathname.slice(1);
}

/** A connection as the server's admin, to the `postgres` database or to `database`. */
export async function adminClient(database?: string): Promise<Client> {
  const url = new URL(testServer().adminUrl);
  if (database) url.pathname = `/${database}`;
  const client = new Client({ connectionString: url.toString() });
  // A fault test may terminate this connection's peers; it must not crash the test process.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Terminates every backend of `database` but the listed ones; returns how many were terminated. */
export async function terminateBackends(
  admin: Client,
  database: string,
  spare: number[] = [],
): Promise<number> {
  const { rows } = await admin.query(
    `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n
       FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND NOT (pid = ANY($2::int[]))`,
    [database, spare],
  );
  return Number(rows[0].n);
}

/** Waits until at least `count` backends of `database` wait on a lock (requests are in flight). */
export async function waitForLockWaiters(
  admin: Client,
  database: string,
  count: number,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await admin.query(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`,
      [database],
    );
    if (Number(rows[0].n) >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${rows[0].n} of ${count} backends waiting on a lock`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
