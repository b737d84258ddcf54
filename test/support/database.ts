import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

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

/** A fresh, migrated database for one test file: a copy of the template (milliseconds, not a migration run). */
export async function createTestDatabase(): Promise<string> {
  const { adminUrl, template, runId } = testServer();
  const name = `oi_t_${runId}_${randomBytes(4).toString('hex')}`;
  await withAdmin(adminUrl, async (client) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
        return;
      } catch (error) {
        // Two workers copying the template at the same instant: PostgreSQL refuses one; retry.
        if (attempt >= 20 || !String((error as Error).message).includes('is being accessed by other users')) throw error;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  });
  return databaseUrl(adminUrl, name);
}
