// One PostgreSQL for the whole run: DATABASE_URL's server when set (CI's second pass), else an
// embedded server in a temporary folder. Migrations run once into a template database that every
// test file copies (test/support/database.ts). Jest loads this file natively, outside its module
// mapper, so it uses the compiled app from dist/ (`npm test` builds it first).
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../dist/database/data-source-options.js';
import { startEmbeddedPostgres } from '../../dist/database/embedded-postgres.js';

export async function adminQuery(adminUrl, sql) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

export default async function globalSetup() {
  const runId = randomBytes(3).toString('hex');
  const run = { adminUrl: process.env.DATABASE_URL ?? '', runId };
  if (!run.adminUrl) {
    run.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oi-test-pg-'));
    run.embedded = await startEmbeddedPostgres(run.dataDir);
    run.adminUrl = run.embedded.url;
  }
  const template = `oi_tpl_${runId}`;
  await adminQuery(run.adminUrl, `CREATE DATABASE ${template}`);
  const url = new URL(run.adminUrl);
  url.pathname = `/${template}`;
  const dataSource = new DataSource(dataSourceOptions(url.toString()));
  await dataSource.initialize();
  await dataSource.runMigrations();
  await dataSource.destroy();

  process.env.TEST_DB_ADMIN_URL = run.adminUrl;
  process.env.TEST_DB_TEMPLATE = template;
  process.env.TEST_DB_RUN_ID = runId;
  // The app under test uses the per-file databases, never DATABASE_URL itself.
  delete process.env.DATABASE_URL;
  globalThis.__testRun = run;
}
