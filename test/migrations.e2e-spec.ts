import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { databaseUrl, testServer, withAdmin } from './support/database.js';

describe('migrations', () => {
  const name = `oi_t_${testServer().runId}_mig_${randomBytes(3).toString('hex')}`;
  let dataSource: DataSource;

  beforeAll(async () => {
    const { adminUrl } = testServer();
    await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
    dataSource = new DataSource(dataSourceOptions(databaseUrl(adminUrl, name)));
    await dataSource.initialize();
  });
  afterAll(() => dataSource.destroy());

  it('run on an empty database and leave nothing for TypeORM to generate', async () => {
    const applied = await dataSource.runMigrations();
    expect(applied.length).toBeGreaterThan(0);
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('revert all the way down and apply again', async () => {
    const count = dataSource.migrations.length;
    for (let i = 0; i < count; i++) await dataSource.undoLastMigration();
    const tables: { n: number }[] = await dataSource.query(
      `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'`,
    );
    expect(tables[0].n).toBe(0);
    expect((await dataSource.runMigrations()).length).toBe(count);
  });

  it('enforces case-insensitive uniqueness the entities cannot express', async () => {
    // From the catalog, not from the index's text: a plain index on lower(name) reads almost the same.
    const indexes: { name: string; unique: boolean; keys: string; predicate: string | null }[] =
      await dataSource.query(
        `SELECT c.relname AS name, i.indisunique AS unique,
              (SELECT string_agg(pg_get_indexdef(i.indexrelid, k, true), ', ' ORDER BY k)
                 FROM generate_series(1, i.indnkeyatts) k) AS keys,
              pg_get_expr(i.indpred, i.indrelid) AS predicate
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE c.relname IN ('uq_roles_org_name', 'uq_departments_org_name', 'uq_invitations_pending_email')
        ORDER BY 1`,
      );
    expect(indexes).toEqual([
      {
        name: 'uq_departments_org_name',
        unique: true,
        keys: 'organization_id, lower(name::text)',
        predicate: null,
      },
      {
        name: 'uq_invitations_pending_email',
        unique: true,
        keys: 'organization_id, email',
        predicate: "((status)::text = 'pending'::text)",
      },
      {
        name: 'uq_roles_org_name',
        unique: true,
        keys: 'organization_id, lower(name::text)',
        predicate: null,
      },
    ]);
  });
});
