import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { AccessRepository } from '../../src/common/auth/access.repository.js';
import { generateApiKey, hashApiKey } from '../../src/common/auth/api-key-secret.js';
import { newId } from '../../src/common/ids/ids.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { Db } from '../../src/database/transactions.js';
import { RolesRepository } from '../../src/roles/roles.repository.js';
import { createTestDatabase } from '../support/database.js';

/** The query behind every authenticated request, against the real PostgreSQL: nothing cached, nothing stale. */
describe('AccessRepository (real PostgreSQL)', () => {
  let dataSource: DataSource;
  let access: AccessRepository;
  let orgId: string;
  let slug: string;
  let otherOrgId: string;
  const roleIds: Record<string, string> = {};

  beforeAll(async () => {
    dataSource = new DataSource(dataSourceOptions(await createTestDatabase()));
    await dataSource.initialize();
    access = new AccessRepository(dataSource);
    const db = new Db(dataSource);
    orgId = newId('org');
    otherOrgId = newId('org');
    slug = `access-${Date.now().toString(36)}`;
    await dataSource.query(
      `INSERT INTO organizations (id, name, slug) VALUES ($1, 'Access', $2), ($3, 'Other', $4)`,
      [orgId, slug, otherOrgId, `${slug}-other`],
    );
    await db.transaction(() => new RolesRepository(db).insertSystemRoles(orgId));
    for (const row of await dataSource.query('SELECT id, key FROM roles WHERE organization_id = $1', [orgId]))
      roleIds[row.key] = row.id;
    roleIds.custom = newId('role');
    await dataSource.query(
      `INSERT INTO roles (id, organization_id, key, name, is_system) VALUES ($1, $2, 'reviewer', 'Reviewer', false)`,
      [roleIds.custom, orgId],
    );
  });
  afterAll(() => dataSource.destroy());

  let seq = 0;
  /** A user with an API key and, when `roles` is given, an active membership holding them. */
  const member = async (roles?: string[], state = 'active') => {
    const userId = newId('usr');
    const email = `access-${++seq}@example.test`;
    await dataSource.query(`INSERT INTO users (id, email) VALUES ($1, $2)`, [userId, email]);
    const apiKey = generateApiKey();
    const keyId = newId('key');
    await dataSource.query(
      `INSERT INTO api_keys (id, user_id, name, prefix, key_hash) VALUES ($1, $2, 'k', 'oik', $3)`,
      [keyId, userId, hashApiKey(apiKey)],
    );
    let membershipId: string | undefined;
    if (roles) {
      membershipId = newId('mem');
      await dataSource.query(
        `INSERT INTO memberships (id, organization_id, user_id, account_state) VALUES ($1, $2, $3, $4)`,
        [membershipId, orgId, userId, state],
      );
      for (const key of roles)
        await dataSource.query('INSERT INTO membership_roles (membership_id, role_id) VALUES ($1, $2)', [
          membershipId,
          roleIds[key],
        ]);
    }
    return { userId, email, apiKey, keyId, membershipId };
  };

  it('finds the caller of a live key, with touchDue until the key has been used in the last minute', async () => {
    const m = await member();
    expect(await access.callerFor({ apiKey: m.apiKey })).toEqual({
      caller: { userId: m.userId, email: m.email, apiKeyId: m.keyId, tokenSubject: null, touchDue: true },
      emailVerified: false,
    });
    await dataSource.query('UPDATE api_keys SET last_used_at = now() WHERE id = $1', [m.keyId]);
    await dataSource.query('UPDATE users SET email_verified_at = now() WHERE id = $1', [m.userId]);
    expect(await access.callerFor({ apiKey: m.apiKey })).toMatchObject({
      caller: { touchDue: false },
      emailVerified: true,
    });
    expect(await access.callerFor({ apiKey: generateApiKey() })).toBeUndefined();
  });

  it('a revoked key is refused on the very next query, in and out of an organization', async () => {
    const m = await member(['owner']);
    expect((await access.callerInOrg({ apiKey: m.apiKey }, orgId))?.scope?.rank).toBe(3);
    await dataSource.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [m.keyId]);
    expect(await access.callerFor({ apiKey: m.apiKey })).toBeUndefined();
    expect(await access.callerInOrg({ apiKey: m.apiKey }, orgId)).toBeUndefined();
    expect(await access.callerInOrg({ apiKey: m.apiKey }, slug)).toBeUndefined();
  });

  it('a deactivated member is found as a caller but has no scope in the organization', async () => {
    const m = await member(['admin']);
    expect((await access.callerInOrg({ apiKey: m.apiKey }, orgId))?.scope).toEqual({
      organizationId: orgId,
      membershipId: m.membershipId,
      rank: 2,
    });
    await dataSource.query(
      `UPDATE memberships SET account_state = 'deactivated', deactivated_at = now() WHERE id = $1`,
      [m.membershipId],
    );
    const found = await access.callerInOrg({ apiKey: m.apiKey }, orgId);
    expect(found?.caller.userId).toBe(m.userId);
    expect(found?.scope).toBeUndefined();
    const pending = await member(['owner'], 'pending_invitation');
    expect((await access.callerInOrg({ apiKey: pending.apiKey }, orgId))?.scope).toBeUndefined();
  });

  it('the scope carries the highest system role; custom roles or none rank as Member', async () => {
    const rankOf = async (roles: string[]) =>
      (await access.callerInOrg({ apiKey: (await member(roles)).apiKey }, orgId))?.scope?.rank;
    expect(await rankOf(['member', 'owner', 'admin'])).toBe(3);
    expect(await rankOf(['member', 'admin'])).toBe(2);
    expect(await rankOf(['custom', 'member'])).toBe(1);
    expect(await rankOf(['custom'])).toBe(1);
    expect(await rankOf([])).toBe(1);
  });

  it('resolves the organization by ID or slug, and never grants a scope in another or a missing one', async () => {
    const m = await member(['owner']);
    const byId = await access.callerInOrg({ apiKey: m.apiKey }, orgId);
    const bySlug = await access.callerInOrg({ apiKey: m.apiKey }, slug);
    expect(bySlug).toEqual(byId);
    expect(byId?.scope?.organizationId).toBe(orgId);
    for (const other of [otherOrgId, `${slug}-other`, 'no-such-org', 'org_missing', 'x'.repeat(65)]) {
      const found = await access.callerInOrg({ apiKey: m.apiKey }, other);
      expect(found?.caller.userId).toBe(m.userId);
      expect(found?.scope).toBeUndefined();
    }
  });

  it('finds the caller of a linked OIDC identity, without a key and with its subject', async () => {
    const m = await member(['admin']);
    await dataSource.query(
      `INSERT INTO user_identities (id, issuer, subject, user_id) VALUES ($1, 'https://idp.test', 'sub-1', $2)`,
      [newId('idn'), m.userId],
    );
    const ref = { issuer: 'https://idp.test', subject: 'sub-1' };
    expect(await access.callerFor(ref)).toEqual({
      caller: { userId: m.userId, email: m.email, apiKeyId: null, tokenSubject: 'sub-1', touchDue: false },
      emailVerified: false,
    });
    expect((await access.callerInOrg(ref, slug))?.scope?.rank).toBe(2);
    expect(await access.callerFor({ issuer: 'https://other.test', subject: 'sub-1' })).toBeUndefined();
  });
});
