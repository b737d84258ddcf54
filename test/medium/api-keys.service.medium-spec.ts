import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { ApiKey } from '../../src/api-keys/api-key.entity.js';
import { ApiKeysRepository } from '../../src/api-keys/api-keys.repository.js';
import { ApiKeysService } from '../../src/api-keys/api-keys.service.js';
import { ErrorCode } from '../../src/common/errors/error-code.js';
import { newId } from '../../src/common/ids/ids.js';
import { CursorCodec } from '../../src/common/pagination/cursor-codec.js';
import { AppConfig } from '../../src/config/app-config.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { Db } from '../../src/database/transactions.js';
import { SYSTEM_ACTOR } from '../../src/events/actor.js';
import { EventLog } from '../../src/events/event-log.js';
import { UsersRepository } from '../../src/users/users.repository.js';
import { createTestDatabase } from '../support/database.js';

/** The api_keys table's owner against the real PostgreSQL: the per-user limit and revocation hold under concurrency. */
describe('ApiKeysService SQL (real PostgreSQL)', () => {
  let dataSource: DataSource;
  let keys: ApiKeysService;
  const LIMIT = 3;

  beforeAll(async () => {
    dataSource = new DataSource(dataSourceOptions(await createTestDatabase()));
    await dataSource.initialize();
    const db = new Db(dataSource);
    const config = {
      maxApiKeysPerUser: LIMIT,
      invitationSecret: 'medium-spec-secret-medium-spec-secret',
      dataDir: '/nonexistent',
    } as AppConfig;
    keys = new ApiKeysService(
      dataSource.getRepository(ApiKey),
      db,
      new ApiKeysRepository(db),
      new UsersRepository(db),
      new EventLog(),
      new CursorCodec(config),
      config,
    );
  });
  afterAll(() => dataSource.destroy());

  const user = async () => {
    const id = newId('usr');
    await dataSource.query(`INSERT INTO users (id, email) VALUES ($1, $2)`, [id, `${id}@example.test`]);
    return id;
  };
  const live = async (userId: string) =>
    Number(
      (
        await dataSource.query(
          'SELECT count(*)::int AS n FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL',
          [userId],
        )
      )[0].n,
    );
  const events = async (type: string, subjectId: string) =>
    Number(
      (
        await dataSource.query('SELECT count(*)::int AS n FROM events WHERE type = $1 AND subject_id = $2', [
          type,
          subjectId,
        ])
      )[0].n,
    );

  it('concurrent issues for one user stop exactly at the limit', async () => {
    const userId = await user();
    const results = await Promise.allSettled(
      Array.from({ length: 7 }, (_, n) => keys.issue(userId, `k${n}`)),
    );
    const issued = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(issued).toHaveLength(LIMIT);
    expect(refused.map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(
      Array(7 - LIMIT).fill(ErrorCode.API_KEY_LIMIT_REACHED),
    );
    expect(await live(userId)).toBe(LIMIT);
    // The secret is stored only as its hash.
    const secret = (issued[0] as PromiseFulfilledResult<{ key: string; id: string }>).value;
    const [row] = await dataSource.query('SELECT key_hash FROM api_keys WHERE id = $1', [secret.id]);
    expect(row.key_hash).not.toContain(secret.key);
    expect(await events('api_key.created', secret.id)).toBe(1);
  });

  it('of two concurrent revokes of one key exactly one succeeds and logs one event; another user cannot revoke it', async () => {
    const userId = await user();
    const stranger = await user();
    const { id } = await keys.issue(userId, 'k');
    await expect(keys.revoke(stranger, id)).rejects.toMatchObject({ code: ErrorCode.API_KEY_NOT_FOUND });
    const results = await Promise.allSettled([keys.revoke(userId, id), keys.revoke(userId, id)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.code).toBe(
      ErrorCode.API_KEY_NOT_FOUND,
    );
    expect(await live(userId)).toBe(0);
    expect(await events('api_key.revoked', id)).toBe(1);
  });

  it('revokeAll revokes every live key of the user only, and frees the limit', async () => {
    const userId = await user();
    const other = await user();
    for (let n = 0; n < LIMIT; n++) await keys.issue(userId, `k${n}`);
    await keys.issue(other, 'theirs');
    await expect(keys.issue(userId, 'over')).rejects.toMatchObject({ code: ErrorCode.API_KEY_LIMIT_REACHED });
    await keys.revokeAll(userId, SYSTEM_ACTOR);
    expect(await live(userId)).toBe(0);
    expect(await live(other)).toBe(1);
    await expect(keys.issue(userId, 'again')).resolves.toMatchObject({ name: 'again' });
  });
});
