import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { newId } from '../../src/common/ids/ids.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { Db } from '../../src/database/transactions.js';
import { RolesRepository } from '../../src/roles/roles.repository.js';
import { MemberViews, memberView } from '../../src/users/member-views.js';
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

  /**
   * An invitee's account and pending membership with these roles, as the invitation create leaves
   * them; the member row it returns (the v2 answer) must be what the member view reads afterwards.
   */
  const invitee = async (email: string, roleIds: string[] = []) => {
    const { member, ...ids } = await db.transaction(() =>
      users.upsertPendingInvitee({
        organizationId: orgId,
        email,
        fullName: 'Pat',
        invitationId: newId('inv'),
        roleIds,
        departmentIds: [],
      }),
    );
    if (ids.membershipId) {
      const view = await new MemberViews(db).findOne({ organizationId: orgId, rank: 3 }, ids.userId);
      expect(member && memberView(member, null)).toEqual(view);
    } else expect(member).toBeUndefined();
    return ids;
  };
  /** An account without a membership. */
  const person = async (email: string): Promise<string> => {
    const [{ id }]: { id: string }[] = await dataSource.query(
      'INSERT INTO users (id, email) VALUES ($1, $2) RETURNING id',
      [newId('usr'), email],
    );
    return id;
  };
  const rolesOf = async (membershipId: string) =>
    (
      await dataSource.query('SELECT role_id FROM membership_roles WHERE membership_id = $1', [membershipId])
    ).map((row: { role_id: string }) => row.role_id);
  const stateOf = async (membershipId: string) =>
    db.transaction(() => memberships.stateOf(orgId, membershipId));

  it('upsertPendingInvitee creates an account once and returns the same one for the same email', async () => {
    const first = await invitee('repo-a@example.test');
    expect(first.membershipId).toMatch(/^mem_/);
    expect(await invitee('repo-a@example.test')).toEqual(first);
    const locked = await db.transaction(() => users.lockInvitee(first.userId));
    expect(locked).toMatchObject({ id: first.userId, email: 'repo-a@example.test', activated_at: null });
  });

  it('upsertPendingInvitee reuses an existing account and makes its membership hold exactly the roles given', async () => {
    const userId = await person('repo-e@example.test');
    const [{ id: otherRoleId }]: { id: string }[] = await dataSource.query(
      `SELECT id FROM roles WHERE organization_id = $1 AND key = 'member'`,
      [orgId],
    );
    const first = await invitee('repo-e@example.test', [ownerRoleId]);
    expect(first.userId).toBe(userId);
    expect(await rolesOf(first.membershipId!)).toEqual([ownerRoleId]);
    expect(await invitee('repo-e@example.test', [otherRoleId])).toEqual(first);
    expect(await rolesOf(first.membershipId!)).toEqual([otherRoleId]);
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

  it('upsertPendingInvitee refreshes a pending membership but never touches an active one; joinByInvitation activates it once', async () => {
    const { userId, membershipId: pending } = await invitee('repo-c@example.test', [ownerRoleId]);
    expect((await invitee('repo-c@example.test', [ownerRoleId])).membershipId).toBe(pending);
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
    expect(await invitee('repo-c@example.test', [])).toEqual({ userId, membershipId: undefined });
    expect(await rolesOf(pending!)).toEqual([ownerRoleId]);
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
