import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { ApiKeysRepository } from '../../src/api-keys/api-keys.repository.js';
import { newId } from '../../src/common/ids/ids.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { Db } from '../../src/database/transactions.js';
import { createTestDatabase } from '../support/database.js';

/** The api_keys table's statements against the real PostgreSQL. */
describe('ApiKeysRepository (real PostgreSQL)', () => {
  let dataSource: DataSource;
  let db: Db;
  let keys: ApiKeysRepository;

  beforeAll(async () => {
    dataSource = new DataSource(dataSourceOptions(await createTestDatabase()));
    await dataSource.initialize();
    db = new Db(dataSource);
    keys = new ApiKeysRepository(db);
  });
  afterAll(() => dataSource.destroy());

  const userWithKeys = async (count: number) => {
    const userId = newId('usr');
    await dataSource.query(`INSERT INTO users (id, email) VALUES ($1, $2)`, [
      userId,
      `${userId}@example.test`,
    ]);
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = newId('key');
      await keys.insertWithinLimit({ id, userId, name: `k${i}`, prefix: `pfx${i}`, hash: `hash-${id}` }, 10);
      ids.push(id);
    }
    return { userId, ids };
  };
  const live = async (userId: string): Promise<number> =>
    (
      await dataSource.query(
        'SELECT count(*)::int AS n FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL',
        [userId],
      )
    )[0].n;
  const stamp = async (keyId: string): Promise<{ last_used_at: Date | null; xmin: string }> =>
    (
      await dataSource.query('SELECT last_used_at, xmin::text AS xmin FROM api_keys WHERE id = $1', [keyId])
    )[0];

  it('insertWithinLimit refuses a key beyond the limit of unrevoked ones', async () => {
    const { userId, ids } = await userWithKeys(2);
    const key = (n: number) => ({
      id: newId('key'),
      userId,
      name: `x${n}`,
      prefix: `x${n}`,
      hash: `hash-x${n}-${userId}`,
    });
    expect(await keys.insertWithinLimit(key(1), 2)).toBeUndefined();
    await keys.revoke(userId, ids[0]);
    expect(await keys.insertWithinLimit(key(2), 2)).toEqual(expect.any(Date));
    expect(await live(userId)).toBe(2);
  });

  it('revoke takes one key or all, and returns what it revoked', async () => {
    const { userId, ids } = await userWithKeys(3);
    expect(await live(userId)).toBe(3);
    expect((await keys.revoke(userId, ids[0])).map((row) => row.id)).toEqual([ids[0]]);
    // Another user's key is not found for this user.
    const other = await userWithKeys(1);
    expect(await keys.revoke(userId, other.ids[0])).toEqual([]);
    expect(await live(userId)).toBe(2);
    const rest = await keys.revoke(userId);
    expect(rest.map((row) => row.id).sort()).toEqual([ids[1], ids[2]].sort());
    expect(rest[0]).toEqual(
      expect.objectContaining({ name: expect.any(String), prefix: expect.any(String), last_used_at: null }),
    );
    expect(await keys.revoke(userId)).toEqual([]);
    expect(await live(userId)).toBe(0);
    expect(await live(other.userId)).toBe(1);
  });

  it('touchLastUsed writes once a minute at most, also when many run at once', async () => {
    const { ids } = await userWithKeys(1);
    const [keyId] = ids;
    await Promise.all(Array.from({ length: 10 }, () => keys.touchLastUsed(keyId)));
    const first = await stamp(keyId);
    expect(first.last_used_at).not.toBeNull();
    await keys.touchLastUsed(keyId);
    expect(await stamp(keyId)).toEqual(first);
    await dataSource.query(`UPDATE api_keys SET last_used_at = now() - interval '61 seconds' WHERE id = $1`, [
      keyId,
    ]);
    const old = await stamp(keyId);
    await keys.touchLastUsed(keyId);
    const renewed = await stamp(keyId);
    expect(renewed.last_used_at!.getTime()).toBeGreaterThan(old.last_used_at!.getTime());
  });
});
