import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { withSessionOptions } from '../../src/database/session-options.js';
import { createTestDatabase } from '../support/database.js';

/** The pool's sessions plan prepared statements generically, whatever options the URL or PGOPTIONS bring. */
describe('session options (real PostgreSQL)', () => {
  let url: string;
  let dataSource: DataSource | undefined;
  const pgOptions = process.env.PGOPTIONS;

  beforeAll(async () => {
    url = await createTestDatabase();
  });

  afterEach(async () => {
    await dataSource?.destroy();
    dataSource = undefined;
    if (pgOptions === undefined) delete process.env.PGOPTIONS;
    else process.env.PGOPTIONS = pgOptions;
  });

  /** The settings a session of a pool built from `databaseUrl` runs with. */
  async function settingsOf(databaseUrl: string): Promise<Record<string, string>> {
    dataSource = await new DataSource(dataSourceOptions(databaseUrl)).initialize();
    const rows: { name: string; setting: string }[] = await dataSource.query(
      `SELECT name, setting FROM pg_settings WHERE name IN ('plan_cache_mode', 'application_name', 'statement_timeout')`,
    );
    return Object.fromEntries(rows.map((row) => [row.name, row.setting]));
  }

  it('plans prepared statements once, generically', async () => {
    expect((await settingsOf(url))['plan_cache_mode']).toBe('force_generic_plan');
    // In PostgreSQL's `auto` mode the first five executions of a statement get custom plans.
    const pool = (dataSource!.driver as unknown as { master: pg.Pool }).master;
    const client = await pool.connect();
    try {
      for (const id of ['a', 'b', 'c'])
        await client.query({
          name: 'probe',
          text: 'SELECT count(*) FROM migrations WHERE name = $1',
          values: [id],
        });
      const { rows } = await client.query<{ generic_plans: string; custom_plans: string }>(
        `SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = 'probe'`,
      );
      expect(rows).toEqual([{ generic_plans: '3', custom_plans: '0' }]);
    } finally {
      client.release();
    }
  });

  it("keeps the URL's own options beside ours", async () => {
    const withOptions = new URL(url);
    withOptions.searchParams.set('options', '-c statement_timeout=12345');
    const settings = await settingsOf(withOptions.toString());
    expect(settings).toMatchObject({ plan_cache_mode: 'force_generic_plan', statement_timeout: '12345' });
  });

  it("keeps PGOPTIONS' settings beside ours", async () => {
    process.env.PGOPTIONS = '-c application_name=from-pgoptions';
    const settings = await settingsOf(url);
    expect(settings).toMatchObject({
      plan_cache_mode: 'force_generic_plan',
      application_name: 'from-pgoptions',
    });
  });

  it('leaves a URL without options as it is', () => {
    expect(withSessionOptions(url).connectionString).toBe(url);
    expect(withSessionOptions('/var/run/postgresql app').connectionString).toBe('/var/run/postgresql app');
  });
});
