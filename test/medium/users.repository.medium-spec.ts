import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { newId } from '../../src/common/ids/ids.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { Db } from '../../src/database/transactions.js';
import { UsersRepository } from '../../src/users/users.repository.js';
import { createTestDatabase } from '../support/database.js';

/** The users table's writes for other modules' flows, against the real PostgreSQL. */
describe('UsersRepository (real PostgreSQL)', () => {
  let dataSource: DataSource;
  let db: Db;
  let users: UsersRepository;

  beforeAll(async () => {
    dataSource = new DataSource(dataSourceOptions(await createTestDatabase()));
    await dataSource.initialize();
    db = new Db(dataSource);
    users = new UsersRepository(db);
  });
  afterAll(() => dataSource.destroy());

  const user = async (id: string) =>
    (
      await dataSource.query(
        'SELECT email, full_name, activated_at, email_verified_at, created_by_invitation_id FROM users WHERE id = $1',
        [id],
      )
    )[0];

  it('upsertVerified creates an active, verified user, or makes the existing one so without renaming it', async () => {
    const created = await users.upsertVerified('new@example.test', 'New Person');
    expect(await user(created)).toEqual(
      expect.objectContaining({
        email: 'new@example.test',
        full_name: 'New Person',
        activated_at: expect.any(Date),
        email_verified_at: expect.any(Date),
      }),
    );
    const invitationId = newId('inv');
    const { userIds } = await db.transaction(() =>
      users.upsertInvitees([
        { userId: newId('usr'), email: 'invited@example.test', fullName: 'Kept', invitationId },
      ]),
    );
    const invited = userIds.get('invited@example.test')!;
    expect((await user(invited)).activated_at).toBeNull();
    expect(await users.upsertVerified('invited@example.test', 'Other Name')).toBe(invited);
    expect(await user(invited)).toEqual({
      email: 'invited@example.test',
      full_name: 'Kept',
      activated_at: expect.any(Date),
      email_verified_at: expect.any(Date),
      created_by_invitation_id: invitationId,
    });
  });

  it('concurrent upsertVerified calls of one email make one user', async () => {
    const ids = await Promise.all(
      Array.from({ length: 5 }, () => users.upsertVerified('race@example.test', null)),
    );
    expect(new Set(ids).size).toBe(1);
  });

  it('markEmailVerified with an email proves only the unchanged, unverified email of that user', async () => {
    const id = newId('usr');
    await dataSource.query(`INSERT INTO users (id, email) VALUES ($1, 'prove@example.test')`, [id]);
    await users.markEmailVerified(id, 'other@example.test');
    expect((await user(id)).email_verified_at).toBeNull();
    await users.markEmailVerified(id, 'prove@example.test');
    const verifiedAt = (await user(id)).email_verified_at;
    expect(verifiedAt).toBeInstanceOf(Date);
    await new Promise((r) => setTimeout(r, 20));
    await users.markEmailVerified(id, 'prove@example.test');
    expect((await user(id)).email_verified_at).toEqual(verifiedAt);
    // Without one (an emailed code proved it), whatever the address is.
    const other = newId('usr');
    await dataSource.query(`INSERT INTO users (id, email) VALUES ($1, 'code@example.test')`, [other]);
    await users.markEmailVerified(other);
    expect((await user(other)).email_verified_at).toBeInstanceOf(Date);
  });
});
