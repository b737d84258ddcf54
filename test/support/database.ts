import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options.js';

/** Set by the global setup: the server every test database lives on, and the migrated template. */
export function testServer(): { adminUrl: string; template: string; runId: string } {
  const adminUrl = process.env.TEST_DB_ADMIN_URL;
  const template = process.env.TEST_DB_TEMPLATE;
  const runId = process.env.TEST_DB_RUN_ID;
  if (!adminUrl || !template || !runId) throw new Error('test database server not set up (jest globalSetup)');
  return { adminUrl, template, runId };
}

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withAdmin<T>(adminUrl: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * The migrated template, made once per run by whichever worker comes first (an advisory lock
 * serialises the workers), from the TypeScript migrations themselves.
 */
async function ensureTemplate(adminUrl: string, template: string): Promise<void> {
  await withAdmin(adminUrl, async (client) => {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [template]);
    try {
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
      if (exists.rowCount) return;
      await client.query(`CREATE DATABASE ${template}`);
      const dataSource = new DataSource(dataSourceOptions(databaseUrl(adminUrl, template)));
      await dataSource.initialize();
      try {
        await dataSource.runMigrations();
      } finally {
        await dataSource.destroy();
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [template]);
    }
  });
}

/** A fresh, migrated database for one test file: a copy of the template (milliseconds, not a migration run). */
export async function createTestDatabase(): Promise<string> {
  const { adminUrl, template, runId } = testServer();
  await ensureTemplate(adminUrl, template);
  const name = `oi_t_${runId}_${randomBytes(4).toString('hex')}`;
  await withAdmin(adminUrl, async (client) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
        return;
      } catch (error) {
        // Two workers copying the template at the same instant: PostgreSQL refuses one; retry.
        if (attempt >= 20 || !String((error as Error).message).includes('is being accessed by other users'))
          throw error;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  });
  return databaseUrl(adminUrl, name);
}
