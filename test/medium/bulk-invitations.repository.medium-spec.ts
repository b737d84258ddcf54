import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { newId } from '../../src/common/ids/ids.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { Db } from '../../src/database/transactions.js';
import {
  BulkInvitationsRepository,
  InvitationInsert,
} from '../../src/invitations/bulk/bulk-invitations.repository.js';
import { RolesRepository } from '../../src/roles/roles.repository.js';
import { MembershipsRepository } from '../../src/users/memberships.repository.js';
import { UsersRepository } from '../../src/users/users.repository.js';
import { createTestDatabase } from '../support/database.js';

/**
 * The set-based writes of a bulk invite against the real PostgreSQL (the accounts and memberships
 * through their owners' set-based methods): the unique indexes decide every race.
 */
describe('BulkInvitationsRepository (real PostgreSQL)', () => {
  let dataSource: DataSource;
  let db: Db;
  let bulk: BulkInvitationsRepository;
  let users: UsersRepository;
  let memberships: MembershipsRepository;
  let orgId: string;
  let otherOrgId: string;
  let inviterId: string;
  const roleIds: Record<string, string> = {};
  let departmentId: string;

  const organization = async (name: string) => {
    const id = newId('org');
    await dataSource.query(`INSERT INTO organizations (id, name, slug) VALUES ($1, $2, $3)`, [
      id,
      name,
      `bulk-${id.slice(4).toLowerCase()}`,
    ]);
    await db.transaction(() => new RolesRepository(db).insertSystemRoles(id));
    return id;
  };

  beforeAll(async () => {
    dataSource = new DataSource(dataSourceOptions(await createTestDatabase()));
    await dataSource.initialize();
    db = new Db(dataSource);
    bulk = new BulkInvitationsRepository(db);
    users = new UsersRepository(db);
    memberships = new MembershipsRepository(db);
    orgId = await organization('Bulk');
    otherOrgId = await organization('Other');
    for (const row of await dataSource.query('SELECT id, key FROM roles WHERE organization_id = $1', [orgId]))
      roleIds[row.key] = row.id;
    departmentId = newId('dept');
    await dataSource.query(`INSERT INTO departments (id, organization_id, name) VALUES ($1, $2, 'Sales')`, [
      departmentId,
      orgId,
    ]);
    inviterId = newId('usr');
    await dataSource.query(`INSERT INTO users (id, email) VALUES ($1, 'inviter@example.test')`, [inviterId]);
  });
  afterAll(() => dataSource.destroy());

  /** Accounts, pending memberships and invitations for these emails, as the bulk path makes them. */
  const prepare = async (emails: string[]) => {
    const rows = emails.map((email) => ({
      userId: newId('usr'),
      email,
      fullName: null,
      invitationId: newId('inv'),
    }));
    const { userIds } = await users.upsertInvitees(rows);
    const members = await memberships.upsertPendingAll(
      orgId,
      emails.map((email) => ({ membershipId: newId('mem'), userId: userIds.get(email)! })),
    );
    return emails.map((email, n): InvitationInsert => ({
      id: rows[n].invitationId,
      userId: userIds.get(email)!,
      membershipId: members.get(userIds.get(email)!)!,
      email,
      fullName: null,
      roleIds: [roleIds.member],
      departmentIds: [],
      customMessage: null,
      expiresInDays: 7,
    }));
  };
  const insert = (rows: InvitationInsert[]) =>
    db.transaction(async () => {
      const prepared = await prepare(rows.map((r) => r.email));
      return bulk.insertInvitations(orgId, inviterId, true, prepared);
    });

  it('references finds roles and departments by ID or lowercased name, always the Member role, never another organization', async () => {
    const [foreignRole] = await dataSource.query(`SELECT id FROM roles WHERE organization_id = $1 LIMIT 1`, [
      otherOrgId,
    ]);
    const refs = await db.transaction(() =>
      bulk.references(orgId, {
        roleIds: [roleIds.owner, foreignRole.id],
        roleNames: ['admin'],
        departmentIds: [],
        departmentNames: ['sales'],
      }),
    );
    expect(refs.roles.map((r) => r.name).sort()).toEqual(['Admin', 'Member', 'Owner']);
    expect(refs.roles.find((r) => r.name === 'Owner')).toMatchObject({ isOwner: true, isMember: false });
    expect(refs.roles.find((r) => r.name === 'Member')).toMatchObject({ isOwner: false, isMember: true });
    expect(refs.departments).toEqual([{ id: departmentId, name: 'Sales' }]);
  });

  it('invitableDomains is open by default and the verified domains only under the domain policy', async () => {
    expect(await bulk.invitableDomains(orgId)).toBeUndefined();
    await dataSource.query(`UPDATE organizations SET invite_policy = 'verified_domains_only' WHERE id = $1`, [
      otherOrgId,
    ]);
    await dataSource.query(
      `INSERT INTO organization_domains (id, organization_id, domain, status, verification_value)
       VALUES ($1, $3, 'ok.test', 'verified', 'v1'), ($2, $3, 'wait.test', 'pending', 'v2')`,
      [newId('dom'), newId('dom'), otherOrgId],
    );
    expect(await bulk.invitableDomains(otherOrgId)).toEqual(new Set(['ok.test']));
  });

  it('upsertInvitees reuses existing accounts and reports only the ones it created', async () => {
    const existing = newId('usr');
    await dataSource.query(`INSERT INTO users (id, email) VALUES ($1, 'bulk-old@example.test')`, [existing]);
    const fresh = newId('usr');
    const { userIds, created } = await db.transaction(() =>
      users.upsertInvitees([
        { userId: newId('usr'), email: 'bulk-old@example.test', fullName: 'X', invitationId: newId('inv') },
        { userId: fresh, email: 'bulk-new@example.test', fullName: 'Y', invitationId: newId('inv') },
      ]),
    );
    expect(userIds).toEqual(
      new Map([
        ['bulk-old@example.test', existing],
        ['bulk-new@example.test', fresh],
      ]),
    );
    expect(created).toEqual(new Set([fresh]));
  });

  it('upsertPendingAll skips active members and refreshes a pending one', async () => {
    const [activeUser, pendingUser] = [newId('usr'), newId('usr')];
    await dataSource.query(
      `INSERT INTO users (id, email) VALUES ($1, 'bulk-active@example.test'), ($2, 'bulk-pending@example.test')`,
      [activeUser, pendingUser],
    );
    const activeMembership = newId('mem');
    await dataSource.query(
      `INSERT INTO memberships (id, organization_id, user_id, account_state) VALUES ($1, $2, $3, 'active')`,
      [activeMembership, orgId, activeUser],
    );
    const first = await db.transaction(() =>
      memberships.upsertPendingAll(orgId, [
        { membershipId: newId('mem'), userId: activeUser },
        { membershipId: newId('mem'), userId: pendingUser },
      ]),
    );
    expect([...first.keys()]).toEqual([pendingUser]);
    const again = await db.transaction(() =>
      memberships.upsertPendingAll(orgId, [{ membershipId: newId('mem'), userId: pendingUser }]),
    );
    expect(again.get(pendingUser)).toBe(first.get(pendingUser));
    expect(
      await db.transaction(() =>
        bulk.existingInvitees(orgId, ['bulk-active@example.test', 'bulk-pending@example.test']),
      ),
    ).toEqual([{ email: 'bulk-active@example.test', accountState: 'active', pendingInvitationId: null }]);
  });

  it('insertInvitations skips an email already pending and returns the stored times of the rest', async () => {
    const [a] = await prepare(['bulk-a@example.test']);
    const firstRun = await db.transaction(() => bulk.insertInvitations(orgId, inviterId, false, [a]));
    expect([...firstRun.keys()]).toEqual([a.id]);
    const times = firstRun.get(a.id)!;
    expect(times.expires_at.getTime() - times.issued_at.getTime()).toBe(7 * 24 * 3600 * 1000);
    const second = await insert([
      { ...a, id: newId('inv') },
      { ...a, id: newId('inv'), email: 'bulk-b@example.test' },
    ]);
    expect(second.size).toBe(1);
    const [stored] = await dataSource.query(`SELECT id FROM invitations WHERE email = 'bulk-b@example.test'`);
    expect([...second.keys()]).toEqual([stored.id]);
    expect(
      await db.transaction(() =>
        bulk.existingInvitees(orgId, ['bulk-a@example.test', 'bulk-zz@example.test']),
      ),
    ).toEqual([
      { email: 'bulk-a@example.test', accountState: 'pending_invitation', pendingInvitationId: a.id },
    ]);
  });

  it('two concurrent bulk inserts of overlapping emails create each pending invitation exactly once', async () => {
    const emails = ['bulk-r1@example.test', 'bulk-r2@example.test', 'bulk-r3@example.test'];
    const rows = emails.map((email) => ({ email }) as InvitationInsert);
    const [x, y] = await Promise.all([insert(rows), insert(rows)]);
    expect(x.size + y.size).toBe(3);
    const stored = await dataSource.query(
      `SELECT email, count(*)::int AS n FROM invitations WHERE email = ANY($1) AND status = 'pending' GROUP BY email ORDER BY email`,
      [emails],
    );
    expect(stored).toEqual(emails.map((email) => ({ email, n: 1 })));
  });

  it('settleExpired settles only the due pending invitations of the given emails', async () => {
    const [due, fresh] = await db.transaction(async () => {
      const prepared = await prepare(['bulk-due@example.test', 'bulk-fresh@example.test']);
      await bulk.insertInvitations(orgId, inviterId, true, prepared);
      return prepared;
    });
    await dataSource.query(
      `UPDATE invitations SET issued_at = now() - interval '9 days', expires_at = now() - interval '1 day' WHERE id = ANY($1)`,
      [[due.id, fresh.id]],
    );
    await db.transaction(() => bulk.settleExpired(orgId, ['bulk-due@example.test']));
    const statuses = await dataSource.query(
      `SELECT id, status FROM invitations WHERE id = ANY($1) ORDER BY email`,
      [[due.id, fresh.id]],
    );
    expect(statuses).toEqual([
      { id: due.id, status: 'expired' },
      { id: fresh.id, status: 'pending' },
    ]);
  });

  it('replaceAssignmentsAll leaves each membership holding exactly its latest grants; deleteUnused deletes what was made', async () => {
    const [row] = await prepare(['bulk-g@example.test']);
    const grantsOf = async () => [
      (
        await dataSource.query(
          'SELECT role_id FROM membership_roles WHERE membership_id = $1 ORDER BY role_id',
          [row.membershipId],
        )
      ).map((r: { role_id: string }) => r.role_id),
      (
        await dataSource.query('SELECT department_id FROM membership_departments WHERE membership_id = $1', [
          row.membershipId,
        ])
      ).map((r: { department_id: string }) => r.department_id),
    ];
    await db.transaction(() =>
      memberships.replaceAssignmentsAll(
        [
          {
            membershipId: row.membershipId,
            roleIds: [roleIds.admin, roleIds.member],
            departmentIds: [departmentId],
          },
        ],
        new Set(),
      ),
    );
    expect(await grantsOf()).toEqual([[roleIds.admin, roleIds.member].sort(), [departmentId]]);
    await db.transaction(() =>
      memberships.replaceAssignmentsAll(
        [{ membershipId: row.membershipId, roleIds: [roleIds.owner], departmentIds: [] }],
        new Set([row.membershipId]),
      ),
    );
    expect(await grantsOf()).toEqual([[roleIds.owner], []]);
    await db.transaction(async () => {
      await memberships.deleteUnused(orgId, [row.membershipId]);
      await users.deleteUnused([row.userId]);
    });
    expect(await dataSource.query('SELECT id FROM memberships WHERE id = $1', [row.membershipId])).toEqual(
      [],
    );
    expect(await dataSource.query('SELECT id FROM users WHERE id = $1', [row.userId])).toEqual([]);
  });
});
