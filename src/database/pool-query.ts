import type { QueryConfig, QueryResultRow } from 'pg';
import { DataSource, EntityManager, QueryRunnerAlreadyReleasedError } from 'typeorm';
import { TransactionPipeliningClient } from './transaction-pipelining-client.js';

/** A statement sent as a named prepared statement: parsed and planned once per pooled connection. */
export interface PreparedStatement {
  name: string;
  text: string;
}

/** What a prepared statement returns: its rows, and how many rows it changed (UPDATE, DELETE, INSERT). */
export interface PreparedResult<R> {
  rows: R[];
  count: number;
}

interface PgQueryable {
  query<R extends QueryResultRow>(config: QueryConfig): Promise<{ rows: R[]; rowCount: number | null }>;
}

/** The `pg` pool TypeORM opened; it exists only once the DataSource is initialized. */
function poolOf(dataSource: DataSource): PgQueryable {
  return (dataSource.driver as unknown as { master: PgQueryable }).master;
}

async function send<R extends QueryResultRow>(
  client: PgQueryable,
  statement: PreparedStatement,
  values: unknown[],
): Promise<PreparedResult<R>> {
  const result = await client.query<R>({ name: statement.name, text: statement.text, values });
  return { rows: result.rows, count: result.rowCount ?? 0 };
}

/**
 * Runs a hot read on the pool TypeORM opened, bypassing its QueryRunner (a runner object, a query
 * logger call and a result wrapper per query), as a named prepared statement (`pg`'s `name`), so
 * PostgreSQL parses and plans it once per connection. Only for reads outside any transaction: the
 * ambient transaction of `Db` is not joined (`Db.prepared` does). Errors are the driver's own, which
 * `isDatabaseUnavailable` and `isUniqueViolation` classify like TypeORM's.
 */
export function poolQuery(dataSource: DataSource) {
  return async <R extends QueryResultRow>(statement: PreparedStatement, values: unknown[]): Promise<R[]> =>
    (await send<R>(poolOf(dataSource), statement, values)).rows;
}

/**
 * Runs a named prepared statement in `manager`'s transaction, on its connection (or on the pool
 * when `manager` has none). The hot writes go this way: PostgreSQL parses and plans their
 * data-modifying CTEs once per connection instead of once per request (measured on the same SQL:
 * v1 invite 311 → 391 req/s, accept 422 → 702).
 *
 * On an open connection with no subscriber listening (production) the statement is sent within
 * this call, so statements issued one after another without awaiting go out in that order, in one
 * round trip (the connection pipelines: TransactionPipeliningClient).
 */
export function preparedQuery<R extends QueryResultRow>(
  manager: EntityManager,
  statement: PreparedStatement,
  values: unknown[],
): Promise<PreparedResult<R>> {
  const runner = manager.queryRunner;
  if (runner?.isReleased) return Promise.reject(new QueryRunnerAlreadyReleasedError());
  // Logged and announced to subscribers as TypeORM's own queries are (tests record statements so).
  manager.connection.logger.logQuery(statement.text, values, runner);
  const open = runner
    ? (runner as unknown as { databaseConnection?: PgQueryable }).databaseConnection
    : poolOf(manager.connection);
  if (open && manager.connection.subscribers.length === 0) return send<R>(open, statement, values);
  return (async () => {
    const client = open ?? ((await runner!.connect()) as PgQueryable);
    await runner?.broadcaster.broadcast('BeforeQuery', statement.text, values);
    return send<R>(client, statement, values);
  })();
}

/**
 * Queues a named prepared statement in `manager`'s transaction to go out with the transaction's
 * next statement (TransactionPipeliningClient.holdUntilNext): as a transaction's last write, with
 * its COMMIT, in one write and one round trip. It returns nothing: a failure fails that next
 * statement, so the transaction's caller sees it.
 */
export function preparedWithNext(
  manager: EntityManager,
  statement: PreparedStatement,
  values: unknown[],
): void {
  const runner = manager.queryRunner;
  const client = (runner as unknown as { databaseConnection?: unknown } | undefined)?.databaseConnection;
  if (!runner?.isTransactionActive || !(client instanceof TransactionPipeliningClient))
    throw new Error('preparedWithNext needs an open transaction on a pipelining connection');
  manager.connection.logger.logQuery(statement.text, values, runner);
  // Subscribers hear of it as of any statement; what they do cannot delay it (it is already held).
  void runner.broadcaster.broadcast('BeforeQuery', statement.text, values);
  client.holdUntilNext({ name: statement.name, text: statement.text, values });
}
