import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { newId } from '../../src/common/ids/ids.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { Db } from '../../src/database/transactions.js';
import { RolesRepository } from '../../src/roles/roles.repository.js';
import { createTestDatabase } from '../support/database.js';

/** The system roles a new organization gets, against the real PostgreSQL. */
describe('RolesRepository (real PostgreSQL)', () => {
  let dataSource: DataSource;
  let db: Db;
  let roles: RolesRepository;

  beforeAll(async () => {
    dataSource = new DataSource(dataSourceOptions(await createTestDatabase()));
    await dataSource.initialize();
    db = new Db(dataSource);
    roles = new RolesRepository(db);
  });
  afterAll(() => dataSource.destroy());

  const organization = async () => {
    const id = newId('org');
    await dataSource.query(`INSERT INTO organizations (id, name, slug) VALUES ($1, 'Roles', $2)`, [
      id,
      `roles-${id.slice(4).toLowerCase()}`,
    ]);
    return id;
  };
  const rolesOf = (orgId: string) =>
    dataSource.query('SELECT id, key, name, is_system FROM roles WHERE organization_id = $1 ORDER BY key', [
      orgId,
    ]);

  it('inserts the three system roles and returns the Owner role', async () => {
    const orgId = await organization();
    const { ownerRoleId } = await db.transaction(() => roles.insertSystemRoles(orgId));
    const rows = await rolesOf(orgId);
    expect(
      rows.map((r: { key: string; name: string; is_system: boolean }) => [r.key, r.name, r.is_system]),
    ).toEqual([
      ['admin', 'Admin', true],
      ['member', 'Member', true],
      ['owner', 'Owner', true],
    ]);
    expect(rows.find((r: { key: string }) => r.key === 'owner').id).toBe(ownerRoleId);
  });

  it('a second set for the same organization is refused by the name index and leaves the first intact', async () => {
    const orgId = await organization();
    await db.transaction(() => roles.insertSystemRoles(orgId));
    await expect(db.transaction(() => roles.insertSystemRoles(orgId))).rejects.toMatchObject({
      driverError: expect.objectContaining({ code: '23505' }),
    });
    expect(await rolesOf(orgId)).toHaveLength(3);
  });

  it('each organization gets its own roles, and they roll back with the transaction that made them', async () => {
    const [a, b, c] = [await organization(), await organization(), await organization()];
    const [ra, rb] = await Promise.all([
      db.transaction(() => roles.insertSystemRoles(a)),
      db.transaction(() => roles.insertSystemRoles(b)),
    ]);
    expect(ra.ownerRoleId).not.toBe(rb.ownerRoleId);
    expect(await rolesOf(a)).toHaveLength(3);
    expect(await rolesOf(b)).toHaveLength(3);
    await expect(
      db.transaction(async () => {
        await roles.insertSystemRoles(c);
        throw new Error('organization create failed');
      }),
    ).rejects.toThrow('organization create failed');
    expect(await rolesOf(c)).toEqual([]);
  });
});
