import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { OidcIdentitiesRepository } from '../../src/common/auth/oidc/oidc-identities.repository.js';
import { TokenClaims } from '../../src/common/auth/oidc/oidc-verifier.js';
import { newId } from '../../src/common/ids/ids.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { Db } from '../../src/database/transactions.js';
import { UsersRepository } from '../../src/users/users.repository.js';
import { createTestDatabase } from '../support/database.js';

/** Linking OIDC identities at first sight, against the real PostgreSQL: concurrent first sights make one link. */
describe('OidcIdentitiesRepository (real PostgreSQL)', () => {
  let dataSource: DataSource;
  let identities: OidcIdentitiesRepository;

  beforeAll(async () => {
    dataSource = new DataSource(dataSourceOptions(await createTestDatabase()));
    await dataSource.initialize();
    const db = new Db(dataSource);
    identities = new OidcIdentitiesRepository(db, new UsersRepository(db));
  });
  afterAll(() => dataSource.destroy());

  const claims = (subject: string, email: string | undefined, emailVerified = true): TokenClaims => ({
    issuer: 'https://idp.test',
    subject,
    email,
    emailVerified,
    name: 'Sam',
  });
  const user = async (id: string) =>
    (
      await dataSource.query('SELECT email, activated_at, email_verified_at FROM users WHERE id = $1', [id])
    )[0];
  const count = async (sql: string, params: unknown[]) => Number((await dataSource.query(sql, params))[0].n);

  it('an unverified or missing email links nothing and creates no user', async () => {
    expect(await identities.link(claims('sub-u', 'unverified@example.test', false))).toBeUndefined();
    expect(await identities.link(claims('sub-u', undefined))).toBeUndefined();
    expect(
      await count(`SELECT count(*)::int AS n FROM users WHERE email = 'unverified@example.test'`, []),
    ).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM user_identities WHERE subject = 'sub-u'`, [])).toBe(0);
  });

  it('a verified email of an invited, never-active account links to that account and activates it', async () => {
    const invitedId = newId('usr');
    await dataSource.query(`INSERT INTO users (id, email) VALUES ($1, 'invited@example.test')`, [invitedId]);
    expect(await identities.link(claims('sub-i', 'invited@example.test'))).toBe(invitedId);
    const row = await user(invitedId);
    expect(row.activated_at).toBeInstanceOf(Date);
    expect(row.email_verified_at).toBeInstanceOf(Date);
    // Seen again: the same link, no second identity.
    expect(await identities.link(claims('sub-i', 'invited@example.test'))).toBe(invitedId);
    expect(await count(`SELECT count(*)::int AS n FROM user_identities WHERE subject = 'sub-i'`, [])).toBe(1);
  });

  it('concurrent first sights of one subject make one user and one link, and all return it', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, () => identities.link(claims('sub-race', 'race@example.test'))),
    );
    expect(new Set(results).size).toBe(1);
    expect(results[0]).toMatch(/^usr_/);
    expect(await count(`SELECT count(*)::int AS n FROM users WHERE email = 'race@example.test'`, [])).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM user_identities WHERE subject = 'sub-race'`, [])).toBe(
      1,
    );
  });

  it('a subject already linked keeps its user even when the token later carries another email', async () => {
    const first = await identities.link(claims('sub-keep', 'keep@example.test'));
    expect(await identities.link(claims('sub-keep', 'changed@example.test'))).toBe(first);
  });
});
