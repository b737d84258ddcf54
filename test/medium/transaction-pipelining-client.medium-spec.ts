import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import {
  dropHeldOpenersOnRelease,
  TransactionPipeliningClient,
} from '../../src/database/transaction-pipelining-client.js';
import { Db } from '../../src/database/transactions.js';
import { createTestDatabase } from '../support/database.js';

/** Counts the writes a client makes to its socket (one write = one batch of protocol messages). */
function countWrites(client: pg.Client): { writes: number } {
  const counter = { writes: 0 };
  const stream = client.connection.stream as unknown as Record<
    '_write' | '_writev',
    (...a: unknown[]) => void
  >;
  for (const method of ['_write', '_writev'] as const) {
    const original = stream[method].bind(stream);
    stream[method] = (...args: unknown[]) => {
      counter.writes++;
      original(...args);
    };
  }
  return counter;
}

/** The transaction status of the client's session as the server last reported it: idle, in a block, failed. */
const status = (client: pg.Client) => client.getTransactionStatus();

/** TransactionPipeliningClient against the real PostgreSQL: a held opener goes out with the next statement. */
describe('TransactionPipeliningClient (real PostgreSQL)', () => {
  let url: string;
  let client: TransactionPipeliningClient;
  let writes: { writes: number };

  beforeAll(async () => {
    url = await createTestDatabase();
  });
  beforeEach(async () => {
    client = new TransactionPipeliningClient({ connectionString: url });
    await client.connect();
    writes = countWrites(client);
  });
  afterEach(() => client.end());

  /** A transaction that has sent a statement, then a savepoint (as a nested Db.transaction opens one). */
  const openWithSavepoint = async () => {
    await client.query('START TRANSACTION');
    await client.query('SELECT 1');
    await client.query('SAVEPOINT typeorm_1');
  };

  it('sends START TRANSACTION with the statement that follows it, in one write, and the statement runs in the transaction', async () => {
    expect((await client.query('START TRANSACTION')).command).toBe('START');
    expect(writes.writes).toBe(0);
    const first: pg.QueryResult<{ tx: string }> = await client.query({
      name: 'pipelining_probe',
      text: 'SELECT txid_current()::text AS tx, $1::int AS n',
      values: [7],
    });
    expect(writes.writes).toBe(1);
    expect(status(client)).toBe('T');
    const second: pg.QueryResult<{ tx: string }> = await client.query('SELECT txid_current()::text AS tx');
    expect(second.rows[0].tx).toBe(first.rows[0].tx);
    await client.query('COMMIT');
    expect(status(client)).toBe('I');
    expect(writes.writes).toBe(3);
  });

  it('sends statements issued without awaiting in one write, answered each in turn', async () => {
    await client.query('START TRANSACTION');
    const first = client.query('SELECT 1 AS n');
    const second = client.query('SELECT 2 AS n');
    expect(writes.writes).toBe(0);
    expect([(await first).rows, (await second).rows]).toEqual([[{ n: 1 }], [{ n: 2 }]]);
    expect(writes.writes).toBe(1);
    await client.query('COMMIT');
  });

  it('sends nothing for a transaction or a savepoint that is closed before any statement', async () => {
    await client.query('START TRANSACTION');
    await client.query('ROLLBACK');
    await client.query('START TRANSACTION');
    await client.query('COMMIT');
    expect(writes.writes).toBe(0);
    await openWithSavepoint();
    await client.query('RELEASE SAVEPOINT typeorm_1');
    await client.query('COMMIT');
    expect(writes.writes).toBe(2);
    expect(status(client)).toBe('I');
  });

  it('sends a savepoint’s release with the next statement, and none before the end of the transaction', async () => {
    await openWithSavepoint();
    await client.query('SELECT 2');
    await client.query('RELEASE SAVEPOINT typeorm_1');
    expect(writes.writes).toBe(2);
    // Released with this statement: there is no savepoint to roll back to any more.
    await client.query('SELECT 3');
    expect(writes.writes).toBe(3);
    await expect(client.query('ROLLBACK TO SAVEPOINT typeorm_1')).rejects.toThrow(
      'savepoint "typeorm_1" does not exist',
    );
    await client.query('ROLLBACK');

    await openWithSavepoint();
    await client.query('SELECT 2');
    await client.query('RELEASE SAVEPOINT typeorm_1');
    await client.query('COMMIT');
    // The first transaction made five writes, this one three: the COMMIT made its release moot.
    expect(writes.writes).toBe(5 + 3);
    expect(status(client)).toBe('I');
  });

  it('keeps PostgreSQL’s failure semantics: a failed first statement aborts the transaction, a savepoint undoes only its part', async () => {
    await client.query('START TRANSACTION');
    await expect(client.query('SELECT 1 / 0')).rejects.toThrow('division by zero');
    await expect(client.query('SELECT 1')).rejects.toThrow('current transaction is aborted');
    await client.query('ROLLBACK');
    expect(status(client)).toBe('I');

    await client.query('CREATE TEMP TABLE probe (n int)');
    await client.query('START TRANSACTION');
    await client.query('INSERT INTO probe VALUES (1)');
    await client.query('SAVEPOINT typeorm_1');
    await expect(client.query('INSERT INTO probe VALUES (1 / 0)')).rejects.toThrow('division by zero');
    await client.query('ROLLBACK TO SAVEPOINT typeorm_1');
    await client.query('INSERT INTO probe VALUES (3)');
    await client.query('COMMIT');
    expect((await client.query('SELECT n FROM probe ORDER BY n')).rows).toEqual([{ n: 1 }, { n: 3 }]);
  });

  it('sends a statement held until the next one with the COMMIT, in one write; its failure fails the commit and undoes the transaction', async () => {
    await client.query('CREATE TEMP TABLE kept (n int PRIMARY KEY)');
    const keep = (n: number) => ({
      name: 'pipelining_keep',
      text: 'INSERT INTO kept VALUES ($1)',
      values: [n],
    });
    const rows = async () =>
      (await client.query('SELECT n FROM kept ORDER BY n')).rows.map((r: { n: number }) => r.n);
    const before = writes.writes;

    // After a statement, behind a released savepoint: release, held statement and COMMIT in one write.
    await openWithSavepoint();
    await client.query('RELEASE SAVEPOINT typeorm_1');
    client.holdUntilNext(keep(1));
    await client.query('COMMIT');
    expect(writes.writes - before).toBe(2);
    expect(status(client)).toBe('I');
    expect(await rows()).toEqual([1]);

    // The transaction's only statement: sent with its opener and its COMMIT.
    await client.query('START TRANSACTION');
    client.holdUntilNext(keep(2));
    await client.query('COMMIT');
    expect(await rows()).toEqual([1, 2]);

    // A failing one fails the COMMIT (PostgreSQL rolls back): nothing of the transaction stays.
    await client.query('START TRANSACTION');
    await client.query('INSERT INTO kept VALUES (3)');
    client.holdUntilNext(keep(1));
    await expect(client.query('COMMIT')).rejects.toMatchObject({ code: '23505' });
    expect(status(client)).toBe('I');
    expect(await rows()).toEqual([1, 2]);

    // A ROLLBACK drops it unsent.
    await client.query('START TRANSACTION');
    await client.query('SELECT 1');
    client.holdUntilNext(keep(4));
    await client.query('ROLLBACK');
    expect(await rows()).toEqual([1, 2]);

    // Outside a transaction there is no next statement to be sure of.
    expect(() => client.holdUntilNext(keep(5))).toThrow('outside a transaction');
  });

  it('reports a held opener’s failure as the failure of the statement sent with it (callback form too)', async () => {
    // A savepoint outside a transaction block fails; the statement sent with it succeeds on its own.
    await client.query('SAVEPOINT typeorm_1');
    await expect(client.query('SELECT 1')).rejects.toThrow(
      'SAVEPOINT can only be used in transaction blocks',
    );
    await client.query('SAVEPOINT typeorm_1');
    const error = await new Promise<Error | undefined>((resolve) =>
      client.query('SELECT 1', [], (failure: Error | undefined) => resolve(failure)),
    );
    expect(error?.message).toMatch('SAVEPOINT can only be used in transaction blocks');
  });
});

describe('TransactionPipeliningClient in the app’s pool', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    // One pooled connection, so the next borrower gets the client the last one gave back.
    dataSource = new DataSource(dataSourceOptions(await createTestDatabase(), {}, 1));
    await dataSource.initialize();
    dropHeldOpenersOnRelease(dataSource);
  });
  afterAll(() => dataSource.destroy());

  it('runs every Db transaction on it, and a client goes back to the pool holding no opener', async () => {
    const db = new Db(dataSource);
    const tx = await db.transaction(async () => {
      const [{ tx: first }] = await db.manager().query('SELECT txid_current()::text AS tx');
      const [{ tx: second }] = await db.manager().query('SELECT txid_current()::text AS tx');
      expect(second).toBe(first);
      return first as string;
    });
    expect(tx).toMatch(/^\d+$/);

    // An opener left behind (no TypeORM path does this) must not open the next borrower's transaction.
    const pool = (dataSource.driver as unknown as { master: pg.Pool }).master;
    const leaked = await pool.connect();
    expect(leaked).toBeInstanceOf(TransactionPipeliningClient);
    await leaked.query('START TRANSACTION');
    leaked.release();
    const next = await pool.connect();
    expect(next).toBe(leaked);
    await next.query('SELECT 1');
    expect(next.getTransactionStatus()).toBe('I');
    next.release();
  });
});
