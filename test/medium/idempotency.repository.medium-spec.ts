import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { Db } from '../../src/database/transactions.js';
import { IdempotencyRepository, KEY_TAKEN } from '../../src/idempotency/idempotency.repository.js';
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

  /** The kept outcome of (scope, key), as a new request's claim finds it. */
  const kept = async (scope: string, key: string) =>
    (await db.transaction(() => records.claim(scope, key)))?.kept;

  it('while one transaction holds a key, another is refused at once; after it ends the key is free again', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let claimedFirst!: () => void;
    const claimed = new Promise<void>((resolve) => (claimedFirst = resolve));
    const first = db.transaction(async () => {
      const got = await records.claim('org_a POST /v1/x', 'key-1');
      claimedFirst();
      await held;
      return got;
    });
    await claimed;
    expect(await db.transaction(() => records.claim('org_a POST /v1/x', 'key-1'))).toBeUndefined();
    // Another scope or key is not blocked.
    expect(await db.transaction(() => records.claim('org_b POST /v1/x', 'key-1'))).toEqual({ kept: null });
    expect(await db.transaction(() => records.claim('org_a POST /v1/x', 'key-2'))).toEqual({ kept: null });
    release();
    expect(await first).toEqual({ kept: null });
    expect(await db.transaction(() => records.claim('org_a POST /v1/x', 'key-1'))).toEqual({ kept: null });
  });

  it('keeps the outcome with the commit, sealed (not readable from the table); the claim opens it; a second record of the key fails the commit', async () => {
    const body = JSON.stringify({ api_key: 'oik_live_secret_value' });
    await db.transaction(async () => records.keepAtCommit('scope-a', 'k', outcome(body)));
    const [raw] = await dataSource.query(
      `SELECT body, headers FROM idempotency_records WHERE scope = 'scope-a'`,
    );
    expect(raw.body).not.toContain('oik_live_secret_value');
    expect(raw.headers).toEqual({ location: '/v1/x' });
    expect(await kept('scope-a', 'k')).toEqual(outcome(body));
    expect(await kept('scope-b', 'k')).toBeNull();
    await expect(
      db.transaction(async () => records.keepAtCommit('scope-a', 'k', outcome(null))),
    ).rejects.toMatchObject({ code: '23505', constraint: KEY_TAKEN });
    await db.transaction(async () => records.keepAtCommit('scope-a', 'empty', outcome(null)));
    expect(await kept('scope-a', 'empty')).toEqual(outcome(null));
  });

  it('a record kept in a transaction that rolls back is not written', async () => {
    await expect(
      db.transaction(async () => {
        records.keepAtCommit('scope-r', 'k', outcome('{}'));
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');
    expect(await kept('scope-r', 'k')).toBeNull();
  });

  it('refuses to keep a record outside a transaction (there would be no commit to send it with)', () => {
    expect(() => records.keepAtCommit('scope-x', 'k', outcome('{}'))).toThrow(/open transaction/);
  });

  it('prune removes exactly the records older than the window', async () => {
    await db.transaction(async () => records.keepAtCommit('scope-p', 'old', outcome('{}')));
    await db.transaction(async () => records.keepAtCommit('scope-p', 'new', outcome('{}')));
    await dataSource.query(
      `UPDATE idempotency_records SET created_at = now() - interval '25 hours' WHERE scope = 'scope-p' AND key = 'old'`,
    );
    const before = Number(
      (await dataSource.query('SELECT count(*)::int AS n FROM idempotency_records'))[0].n,
    );
    expect(await records.prune(24)).toBe(1);
    expect(await kept('scope-p', 'old')).toBeNull();
    expect(await kept('scope-p', 'new')).not.toBeNull();
    expect(Number((await dataSource.query('SELECT count(*)::int AS n FROM idempotency_records'))[0].n)).toBe(
      before - 1,
    );
  });
});
