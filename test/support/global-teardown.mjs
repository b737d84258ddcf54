// Drops every database this run created, then stops the embedded server if there was one.
import * as fs from 'node:fs';
import pg from 'pg';

export default async function globalTeardown() {
  const run = globalThis.__testRun;
  if (!run) return;
  const client = new pg.Client({ connectionString: run.adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2', [
      `oi_t_${run.runId}_%`,
      `oi_tpl_${run.runId}`,
    ]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  } finally {
    await client.end();
  }
  if (run.embedded) await run.embedded.stop();
  if (run.dataDir) fs.rmSync(run.dataDir, { recursive: true, force: true });
}
