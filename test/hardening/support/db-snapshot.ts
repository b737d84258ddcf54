import { DataSource } from 'typeorm';

/**
 * Per table: row count and an order-independent checksum of every row (the sum of 64-bit row
 * hashes), so any insert, update or delete shows. Cheap enough to take after every fuzz request.
 */
export type DbSnapshot = Record<string, { rows: number; checksum: string }>;

/**
 * Columns that record activity, not state: a refused request by a valid key may still stamp the
 * key's last_used_at (at most once a minute), which is not a change the request made.
 */
const ACTIVITY_COLUMNS: Record<string, string[]> = { api_keys: ['last_used_at'] };

function rowText(table: string): string {
  const activity = ACTIVITY_COLUMNS[table];
  return activity ? `(to_jsonb(t) - ${activity.map((c) => `'${c}'`).join(' - ')})::text` : 't::text';
}

let cachedQuery: { dataSource: DataSource; sql: string } | undefined;

async function snapshotQuery(dataSource: DataSource): Promise<string> {
  if (cachedQuery?.dataSource === dataSource) return cachedQuery.sql;
  const tables: { name: string }[] = await dataSource.query(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'migrations' ORDER BY 1`,
  );
  const sql = tables
    .map(
      ({ name }) =>
        `SELECT '${name}' AS name, count(*)::int AS rows, coalesce(sum(hashtextextended(${rowText(name)}, 0)), 0)::text AS checksum FROM "${name}" t`,
    )
    .join(' UNION ALL ');
  cachedQuery = { dataSource, sql };
  return sql;
}

/** Every table of the app's database, in one statement (one consistent view). */
export async function snapshot(dataSource: DataSource): Promise<DbSnapshot> {
  const rows: { name: string; rows: number; checksum: string }[] = await dataSource.query(
    await snapshotQuery(dataSource),
  );
  return Object.fromEntries(rows.map((r) => [r.name, { rows: r.rows, checksum: r.checksum }]));
}
