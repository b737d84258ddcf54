import type { QueryConfig, QueryResultRow } from 'pg';
import { DataSource } from 'typeorm';

/** A statement sent as a named prepared statement: parsed and planned once per pooled connection. */
export interface PreparedStatement {
  name: string;
  text: string;
}

interface PgPool {
  query<R extends QueryResultRow>(config: QueryConfig): Promise<{ rows: R[] }>;
}

/**
 * Runs a hot read on the pool TypeORM opened, bypassing its QueryRunner (a runner object, a query
 * logger call and a result wrapper per query), as a named prepared statement (`pg`'s `name`), so
 * PostgreSQL parses and plans it once per connection. Only for reads outside any transaction: the
 * ambient transaction of `Db` is not joined. Errors are the driver's own, which
 * `isDatabaseUnavailable` classifies like TypeORM's.
 */
export function poolQuery(dataSource: DataSource) {
  // Looked up per call: the pool exists only once the DataSource is initialized.
  const pool = () => (dataSource.driver as unknown as { master: PgPool }).master;
  return async <R extends QueryResultRow>(statement: PreparedStatement, values: unknown[]): Promise<R[]> =>
    (await pool().query<R>({ name: statement.name, text: statement.text, values })).rows;
}
