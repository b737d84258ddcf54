import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import type { QueryResultRow } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { PreparedResult, PreparedStatement, preparedQuery, preparedWithNext } from './pool-query.js';

const ambient = new AsyncLocalStorage<EntityManager>();

/**
 * The database as repositories and services see it. Inside `transaction()` every repository call
 * made through `manager()` runs in that transaction, without passing a manager around; a
 * `transaction()` opened inside another one becomes a savepoint of it. That is what lets the
 * Idempotency-Key interceptor wrap a whole request in one transaction, so the kept outcome commits
 * with the change it records, while each service still owns its own transaction boundaries.
 */
@Injectable()
export class Db {
  constructor(private readonly dataSource: DataSource) {}

  /** The current transaction's manager, or the pool's when none is open. */
  manager(): EntityManager {
    return ambient.getStore() ?? this.dataSource.manager;
  }

  /** Runs `work` in a transaction (a savepoint when one is open); repositories called inside join it. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const outer = ambient.getStore();
    const start = outer ? outer.transaction.bind(outer) : this.dataSource.transaction.bind(this.dataSource);
    return start((manager: EntityManager) => ambient.run(manager, () => work(manager)));
  }

  /**
   * Runs an UPDATE or DELETE and returns its RETURNING rows and affected count. The one place that
   * knows TypeORM's quirk: for these two commands its raw PostgreSQL result is `[rows, count]`,
   * for every other command just the rows.
   */
  async modify<T = Record<string, unknown>>(
    sql: string,
    parameters: unknown[] = [],
  ): Promise<{ rows: T[]; count: number }> {
    const [rows, count] = (await this.manager().query(sql, parameters)) as [T[], number];
    return { rows, count };
  }

  /** Runs a named prepared statement in the current transaction (on the pool when none is open). */
  prepared<R extends QueryResultRow>(
    statement: PreparedStatement,
    values: unknown[],
  ): Promise<PreparedResult<R>> {
    return preparedQuery<R>(this.manager(), statement, values);
  }

  /**
   * Queues a named prepared statement to go out with the open transaction's next statement — its
   * COMMIT, when it is the last — without a round trip of its own. Its failure fails the commit.
   */
  preparedWithNext(statement: PreparedStatement, values: unknown[]): void {
    preparedWithNext(this.manager(), statement, values);
  }

  /** Whether a transaction is open around the caller. */
  inTransaction(): boolean {
    return ambient.getStore() !== undefined;
  }
}
