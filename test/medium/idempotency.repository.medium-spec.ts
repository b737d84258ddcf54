import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { Db } from '../../src/database/transactions.js';
import { IdempotencyRepository } from '../../src/idempotency/idempotency.repository.js';
import { createTestDatabase } from '../support/database.js';

/** Idempotency records against the real PostgreSQL: one claim per key at a time, bodies sealed at rest. */
describe('IdempotencyRepository (real PostgreSQL)', () => {
  let dataSource: DataSource;
  let db: Db;
  let records: IdempotencyRepository;

  beforeAll(async () => {
    dataSource = new DataSource(dataSourceOptions(await createTestDatabase()));
    await dataSource.initialize();
    db = new Db(dataSource);
    records = new IdempotencyRepository(db, {
      invitationSecret: 'medium-spec-secret-medium-spec-secret',
      dataDir: '/nonexistent',
    } as AppConfig);
  });
  afterAll(() => dataSource.destroy());

  const outcome = (body: string | null) => ({
    fingerprint: 'f'.repeat(64),
    status: 201,
    body,
    headers: { location: '/v1/x' },
  });

  it('while one transaction holds a key, another is refused at once; after it ends the key is free again', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let claimedFirst!: () => void;
    const claimed = new Promise<void>((resolve) => (claimedFirst = resolve));
    const first = db.transaction(async () => {
      const got = await records.tryClaim('org_a POST /v1/x', 'key-1');
      claimedFirst();
      await held;
      return got;
    });
    await claimed;
    expect(await db.transaction(() => records.tryClaim('org_a POST /v1/x', 'key-1'))).toBe(false);
    // Another scope or key is not blocked.
    expect(await db.transaction(() => records.tryClaim('org_b POST /v1/x', 'key-1'))).toBe(true);
    expect(await db.transaction(() => records.tryClaim('org_a POST /v1/x', 'key-2'))).toBe(true);
    release();
    expect(await first).toBe(true);
    expect(await db.transaction(() => records.tryClaim('org_a POST /v1/x', 'key-1'))).toBe(true);
  });

  it('keep seals the body (not readable from the table) and find opens it; a second keep of the key conflicts', async () => {
    const body = JSON.stringify({ api_key: 'oik_live_secret_value' });
    await db.transaction(() => records.keep('scope-a', 'k', outcome(body)));
    const [raw] = await dataSource.query(
      `SELECT body, headers FROM idempotency_records WHERE scope = 'scope-a'`,
    );
    expect(raw.body).not.toContain('oik_live_secret_value');
    expect(raw.headers).toEqual({ location: '/v1/x' });
    expect(await records.find('scope-a', 'k')).toEqual(outcome(body));
    expect(await records.find('scope-b', 'k')).toBeUndefined();
    await expect(db.transaction(() => records.keep('scope-a', 'k', outcome(null)))).rejects.toMatchObject({
      code: '23505',
    });
    await db.transaction(() => records.keep('scope-a', 'empty', outcome(null)));
    expect(await records.find('scope-a', 'empty')).toEqual(outcome(null));
  });

  it('a record kept in a transaction that rolls back is not found', async () => {
    await expect(
      db.transaction(async () => {
        await records.keep('scope-r', 'k', outcome('{}'));
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');
    expect(await records.find('scope-r', 'k')).toBeUndefined();
  });

  it('prune removes exactly the records older than the window', async () => {
    await db.transaction(() => records.keep('scope-p', 'old', outcome('{}')));
    await db.transaction(() => records.keep('scope-p', 'new', outcome('{}')));
    await dataSource.query(
      `UPDATE idempotency_records SET created_at = now() - interval '25 hours' WHERE scope = 'scope-p' AND key = 'old'`,
    );
    const before = Number(
      (await dataSource.query('SELECT count(*)::int AS n FROM idempotency_records'))[0].n,
    );
    expect(await records.prune(24)).toBe(1);
    expect(await records.find('scope-p', 'old')).toBeUndefined();
    expect(await records.find('scope-p', 'new')).toBeDefined();
    expect(Number((await dataSource.query('SELECT count(*)::int AS n FROM idempotency_records'))[0].n)).toBe(
      before - 1,
    );
  });
});
