import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { Db } from '../../src/database/transactions.js';
import { createTestDatabase } from '../support/database.js';

describe('Db (real PostgreSQL)', () => {
  let dataSource: DataSource;
  let db: Db;

  beforeAll(async () => {
    dataSource = new DataSource(dataSourceOptions(await createTestDatabase()));
    await dataSource.initialize();
    db = new Db(dataSource);
    await dataSource.query('CREATE TABLE tx_probe (name text PRIMARY KEY)');
  });
  afterAll(() => dataSource.destroy());

  const names = async () =>
    (await dataSource.query('SELECT name FROM tx_probe ORDER BY name')).map((r: { name: string }) => r.name);
  const insert = (name: string) => db.manager().query('INSERT INTO tx_probe (name) VALUES ($1)', [name]);

  it('runs manager() calls inside transaction() on that transaction, and outside it on the pool', async () => {
    await expect(
      db.transaction(async () => {
        expect(db.inTransaction()).toBe(true);
        await insert('rolled-back');
        // Another connection does not see the uncommitted row; the transaction's own manager does.
        expect(await names()).not.toContain('rolled-back');
        expect(
          (await db.manager().query('SELECT name FROM tx_probe')).map((r: { name: string }) => r.name),
        ).toContain('rolled-back');
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(db.inTransaction()).toBe(false);
    expect(await names()).not.toContain('rolled-back');
  });

  it('makes a nested transaction() a savepoint: its failure undoes only its own work', async () => {
    await db.transaction(async () => {
      await insert('outer');
      await expect(
        db.transaction(async () => {
          await insert('inner');
          throw new Error('inner fails');
        }),
      ).rejects.toThrow('inner fails');
      await insert('outer-after');
    });
    expect(await names()).toEqual(expect.arrayContaining(['outer', 'outer-after']));
    expect(await names()).not.toContain('inner');
  });
});
