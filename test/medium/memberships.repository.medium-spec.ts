import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { newId } from '../../src/common/ids/ids.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { Db } from '../../src/database/transactions.js';
import { RolesRepository } from '../../src/roles/roles.repository.js';
import { MembershipsRepository } from '../../src/users/memberships.repository.js';
import { UsersRepository } from '../../src/users/users.repository.js';
import { createTestDatabase } from '../support/database.js';

/** The users module's repositories against the real PostgreSQL: each conditional write says whether it matched. */
describe('MembershipsRepository and UsersRepository (real PostgreSQL)', () => {
  let dataSource: DataSource;
  let db: Db;
  let memberships: MembershipsRepository;
  let users: UsersRepository;
  let orgId: string;
  let ownerRoleId: string;

  beforeAll(async () => {
    dataSource = new DataSource(dataSourceOptions(await createTestDatabase()));
    await dataSource.initialize();
    db = new Db(dataSource);
    memberships = new MembershipsRepository(db);
    users = new UsersRepository(db);
    orgId = newId('org');
    await dataSource.query(`INSERT INTO organizations (id, name, slug) VALUES ($1, 'Repo Org', $2)`, [
      orgId,
      `repo-${Date.now().toString(36)}`,
    ]);
    ({ ownerRoleId } = await db.transaction(() => new RolesRepository(db).insertSystemRoles(orgId)));
  });
  afterAll(() => dataSource.destroy());

  const person = (email: string) => db.transaction(() => users.upsertInvitee(email, 'Pat', newId('inv')));
  const stateOf = async (membershipId: string) =>
    db.transaction(() => memberships.stateOf(orgId, membershipId));

  it('upsertInvitee creates an account once and returns the same one for the same email', async () => {
    const first = await person('repo-a@example.test');
    expect(await person('repo-a@example.test')).toBe(first);
    const locked = await db.transaction(() => users.lockInvitee(first));
    expect(locked).toMatchObject({ id: first, email: 'repo-a@example.test', activated_at: null });
  });

  it('insertActive makes one active membership with its role; a second one for the user is refused', async () => {
    const userId = await person('repo-b@example.test');
    const id = await db.transaction(() => memberships.insertActive(orgId, userId, ownerRoleId));
    expect(id).toMatch(/^mem_/);
    expect(await db.transaction(() => memberships.insertActive(orgId, userId, ownerRoleId))).toBeUndefined();
    expect(
      await dataSource.query('SELECT role_id FROM membership_roles WHERE membership_id = $1', [id]),
    ).toEqual([{ role_id: ownerRoleId }]);
  });

  it('upsertPending refreshes a pending membership but never touches an active one; joinByInvitation activates it once', async () => {
    const userId = await person('repo-c@example.test');
    const pending = await db.transaction(() => memberships.upsertPending(orgId, userId));
    expect(await db.transaction(() => memberships.upsertPending(orgId, userId))).toBe(pending);
    const join = () =>
      db.transaction(() =>
        memberships.joinByInvitation(orgId, pending!, userId, { fullName: 'Pat Own', emailProven: false }),
      );
    const joined = await join();
    expect(joined?.account).toMatchObject({ id: userId, full_name: 'Pat Own', email_verified_at: null });
    expect(joined?.member).toMatchObject({
      user_id: userId,
      account_state: 'active',
      organization_id: orgId,
    });
    expect(await join()).toBeUndefined();
    expect(await db.transaction(() => memberships.upsertPending(orgId, userId))).toBeUndefined();
    await db.transaction(() => memberships.deletePending(orgId, pending!));
    expect(await stateOf(pending!)).toBe('active');
  });

  it('deactivate and reactivate match only the state they leave, and only in the organization', async () => {
    const userId = await person('repo-d@example.test');
    const id = (await db.transaction(() => memberships.insertActive(orgId, userId, ownerRoleId)))!;
    expect(await db.transaction(() => memberships.deactivate('org_other', id))).toBe(false);
    expect(await db.transaction(() => memberships.deactivate(orgId, id))).toBe(true);
    expect(await db.transaction(() => memberships.deactivate(orgId, id))).toBe(false);
    expect(await db.transaction(() => memberships.reactivate(orgId, id))).toBe(true);
    expect(await db.transaction(() => memberships.reactivate(orgId, id))).toBe(false);
    await db.transaction(() => memberships.delete(orgId, id));
    expect(await stateOf(id)).toBeUndefined();
  });
});
