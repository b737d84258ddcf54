import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Response } from 'supertest';
import { newId } from '../src/common/ids/ids.js';
import { expectError, fieldErrorLocs } from './support/envelope.js';
import {
  auth,
  createActiveMember,
  createOrganizationWithOwner,
  createWorld,
  uniqueEmail,
  World,
} from './support/fixtures.js';
import { walkPages } from './support/pagination.js';
import { createTestApp, TestApp } from './support/test-app.js';

const ROLE_ID = /^role_[A-Za-z0-9]{22}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** The distinct locations of the field errors, sorted (one field can fail several rules). */
const locsOf = (res: Response) => [...new Set(fieldErrorLocs(res))].sort();

describe('roles', () => {
  let t: TestApp;
  let w: World;
  const base = (org: string = w.orgId) => `/v1/organizations/${org}/roles`;

  beforeAll(async () => {
    t = await createTestApp();
    w = await createWorld(t);
  });
  afterAll(() => t.close());

  async function createRole(name: string, description?: string | null): Promise<Record<string, unknown>> {
    const res = await t.http().post(base()).set(auth(w.admin)).send({ name, description });
    expect(res.status).toBe(201);
    return res.body as Record<string, unknown>;
  }

  async function roleRow(id: unknown): Promise<{ name: string } | undefined> {
    const [row] = await t.dataSource.query('SELECT name FROM roles WHERE id = $1', [id]);
    return row as { name: string } | undefined;
  }

  /** A pending membership (as an invitation makes one) holding `roleId`, written directly. */
  async function pendingMembershipHolding(roleId: string): Promise<void> {
    const userId = newId('usr');
    const membershipId = newId('mem');
    await t.dataSource.transaction(async (m) => {
      await m.query('INSERT INTO users (id, email) VALUES ($1, $2)', [userId, uniqueEmail('invitee')]);
      await m.query(
        `INSERT INTO memberships (id, organization_id, user_id, account_state, invited_at) VALUES ($1, $2, $3, 'pending_invitation', now())`,
        [membershipId, w.orgId, userId],
      );
      await m.query('INSERT INTO membership_roles (membership_id, role_id) VALUES ($1, $2)', [
        membershipId,
        roleId,
      ]);
    });
  }

  function expectHiddenOrganization(res: Response, ...secrets: string[]): void {
    const error = expectError(res, 404, 'ORGANIZATION_NOT_FOUND');
    expect(error.details).toEqual({});
    const text = JSON.stringify(res.body);
    for (const secret of secrets) expect(text).not.toContain(secret);
  }

  describe('system roles', () => {
    it('every organization has Owner, Admin and Member, read-only, listed to a Member', async () => {
      const res = await t.http().get(base()).query({ limit: 100 }).set(auth(w.member));
      expect(res.status).toBe(200);
      const system = (res.body.data as { is_system: boolean; key: string }[]).filter((r) => r.is_system);
      expect(system.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
        expect.objectContaining({ id: w.roles.admin, key: 'admin', name: 'Admin', organization_id: w.orgId }),
        expect.objectContaining({
          id: w.roles.member,
          key: 'member',
          name: 'Member',
          organization_id: w.orgId,
        }),
        expect.objectContaining({ id: w.roles.owner, key: 'owner', name: 'Owner', organization_id: w.orgId }),
      ]);
    });

    it('returns 409 ROLE_IS_SYSTEM when an Owner updates a system role, even with an empty body', async () => {
      for (const body of [{ name: 'Boss' }, { description: 'x' }, {}]) {
        const res = await t.http().patch(`${base()}/${w.roles.owner}`).set(auth(w.owner)).send(body);
        const error = expectError(res, 409, 'ROLE_IS_SYSTEM');
        expect(error.details).toEqual({ role_id: w.roles.owner });
      }
      expect((await roleRow(w.roles.owner))?.name).toBe('Owner');
    });

    it('returns 409 ROLE_IS_SYSTEM (not ROLE_IN_USE) when deleting a held system role', async () => {
      for (const id of [w.roles.owner, w.roles.admin, w.roles.member]) {
        expectError(await t.http().delete(`${base()}/${id}`).set(auth(w.owner)), 409, 'ROLE_IS_SYSTEM');
        expect(await roleRow(id)).toBeDefined();
      }
    });

    it('returns 409 ROLE_ALREADY_EXISTS for a custom role named like a system role, in any case', async () => {
      for (const name of ['owner', 'ADMIN', 'Member']) {
        const res = await t.http().post(base()).set(auth(w.admin)).send({ name });
        expect(expectError(res, 409, 'ROLE_ALREADY_EXISTS').details).toEqual({ name });
      }
    });
  });

  describe('createRole', () => {
    it('creates a custom role as an Admin, with a key slugged from its name', async () => {
      const res = await t
        .http()
        .post(base())
        .set(auth(w.admin))
        .send({ name: '  Billing Manager ', description: 'Invoices' });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(ROLE_ID),
        organization_id: w.orgId,
        key: 'billing-manager',
        name: 'Billing Manager',
        description: 'Invoices',
        is_system: false,
        created_at: expect.stringMatching(ISO),
      });
      expect(await roleRow(res.body.id)).toEqual({ name: 'Billing Manager' });
    });

    it('creates a custom role as an Owner without a description', async () => {
      const res = await t.http().post(base()).set(auth(w.owner)).send({ name: 'Auditor' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ key: 'auditor', description: null, is_system: false });
    });

    it('never gives a custom role a system key, and falls back to "role" for names without ASCII', async () => {
      expect((await createRole('Admin!')).key).toBe('admin-custom');
      expect((await createRole('Ünïcödé Léad')).key).toBe('unicode-lead');
      expect((await createRole('営業')).key).toBe('role');
    });

    it('returns 409 ROLE_ALREADY_EXISTS for a name that differs only in case', async () => {
      await createRole('Reviewer');
      const res = await t.http().post(base()).set(auth(w.admin)).send({ name: 'REVIEWER' });
      const error = expectError(res, 409, 'ROLE_ALREADY_EXISTS');
      expect(error.details).toEqual({ name: 'REVIEWER' });
      expect(error.message).toBe('A role with this name already exists.');
    });

    it('allows the same custom role name in another organization', async () => {
      await createRole('Contractor');
      const res = await t
        .http()
        .post(base(w.otherOrgId))
        .set(auth(w.otherOwner))
        .send({ name: 'Contractor' });
      expect(res.status).toBe(201);
      expect(res.body.organization_id).toBe(w.otherOrgId);
    });

    it('returns 403 INSUFFICIENT_PERMISSIONS for a Member, and for a member holding only custom roles', async () => {
      const custom = await createRole('Custom Only');
      const customOnly = await createActiveMember(t, w.orgId, [custom.id as string]);
      for (const actor of [w.member, customOnly]) {
        expectError(
          await t.http().post(base()).set(auth(actor)).send({ name: 'Escalate' }),
          403,
          'INSUFFICIENT_PERMISSIONS',
        );
      }
      // A custom role still reads like a Member.
      expect((await t.http().get(base()).set(auth(customOnly))).status).toBe(200);
      expect(await t.dataSource.query(`SELECT 1 FROM roles WHERE name = 'Escalate'`)).toHaveLength(0);
    });

    it("returns 404 ORGANIZATION_NOT_FOUND to another organization's Owner and creates nothing", async () => {
      const res = await t.http().post(base()).set(auth(w.otherOwner)).send({ name: 'Intruder' });
      expectHiddenOrganization(res, 'Acme', w.orgSlug);
      expect(await t.dataSource.query(`SELECT 1 FROM roles WHERE name = 'Intruder'`)).toHaveLength(0);
    });

    it('returns 401 without credentials and with an unknown key', async () => {
      expectError(await t.http().post(base()).send({ name: 'Anon' }), 401, 'AUTHENTICATION_REQUIRED');
      expectError(
        await t
          .http()
          .post(base())
          .set('X-API-Key', `oik_${'B'.repeat(43)}`)
          .send({ name: 'Anon' }),
        401,
        'INVALID_API_KEY',
      );
    });

    it('returns 400 with field errors for unknown fields, wrong types and too-long strings', async () => {
      const res = await t
        .http()
        .post(base())
        .set(auth(w.admin))
        .send({ name: 'r'.repeat(101), description: 'd'.repeat(501), key: 'owner', is_system: true });
      expectError(res, 400, 'VALIDATION_ERROR');
      expect(locsOf(res)).toEqual(['body.description', 'body.is_system', 'body.key', 'body.name']);
      for (const body of [{}, { name: null }, { name: 7 }, { name: ' ' }]) {
        const bad = await t.http().post(base()).set(auth(w.admin)).send(body);
        expectError(bad, 400, 'VALIDATION_ERROR');
        expect(locsOf(bad)).toEqual(['body.name']);
      }
    });
  });

  describe('listRoles', () => {
    it("lists only this organization's roles, each once", async () => {
      const created = await createRole('Listed Role');
      const res = await t.http().get(base()).query({ limit: 100 }).set(auth(w.member));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ has_more: false, next_cursor: null });
      const data = res.body.data as { id: string; organization_id: string }[];
      expect(data.find((r) => r.id === created.id)).toEqual(created);
      expect(data.every((r) => r.organization_id === w.orgId)).toBe(true);
      expect(new Set(data.map((r) => r.id)).size).toBe(data.length);
    });

    it("returns 404 ORGANIZATION_NOT_FOUND to another organization's Owner, with no role in the body", async () => {
      expectHiddenOrganization(await t.http().get(base()).set(auth(w.otherOwner)), w.roles.owner, 'Billing');
    });

    it('returns 400 for a bad cursor and a bad limit', async () => {
      for (const [query, loc] of [
        [{ cursor: '!!!' }, 'query.cursor'],
        [
          {
            cursor: Buffer.from('{"t":"2026-01-01T00:00:00Z","i":"x; DROP TABLE roles"}').toString(
              'base64url',
            ),
          },
          'query.cursor',
        ],
        [{ limit: '-1' }, 'query.limit'],
        [{ limit: '1.5' }, 'query.limit'],
      ] as const) {
        const res = await t.http().get(base()).query(query).set(auth(w.member));
        expectError(res, 400, 'VALIDATION_ERROR');
        expect(locsOf(res)).toEqual([loc]);
      }
    });

    it('walks 250 roles (3 system + 247 custom) in pages of 100 and sees each exactly once', async () => {
      const { orgId, owner } = await createOrganizationWithOwner(t, 'Roles Walk');
      const ids = Array.from({ length: 247 }, () => newId('role'));
      await t.dataSource.query(
        `INSERT INTO roles (id, organization_id, key, name)
         SELECT id, $2, 'custom-' || ord, 'Custom ' || ord FROM unnest($1::varchar[]) WITH ORDINALITY AS x(id, ord)`,
        [ids, orgId],
      );
      const walk = await walkPages(t, base(orgId), owner, 100);
      expect(walk.pageSizes).toEqual([100, 100, 50]);
      expect(new Set(walk.ids).size).toBe(250);
      const all: { id: string }[] = await t.dataSource.query(
        'SELECT id FROM roles WHERE organization_id = $1',
        [orgId],
      );
      expect([...walk.ids].sort()).toEqual(all.map((r) => r.id).sort());
    });
  });

  describe('getRole', () => {
    it('returns a custom role and a system role to a Member', async () => {
      const created = await createRole('Gettable');
      expect((await t.http().get(`${base()}/${created.id}`).set(auth(w.member))).body).toEqual(created);
      const owner = await t.http().get(`${base()}/${w.roles.owner}`).set(auth(w.member));
      expect(owner.status).toBe(200);
      expect(owner.body).toMatchObject({ id: w.roles.owner, key: 'owner', is_system: true, name: 'Owner' });
    });

    it("returns 404 ROLE_NOT_FOUND for an unknown ID and for another organization's role", async () => {
      const unknown = newId('role');
      expect(
        expectError(await t.http().get(`${base()}/${unknown}`).set(auth(w.member)), 404, 'ROLE_NOT_FOUND')
          .details,
      ).toEqual({
        role_id: unknown,
      });
      const [theirs] = await t.dataSource.query(
        `SELECT id FROM roles WHERE organization_id = $1 AND key = 'owner'`,
        [w.otherOrgId],
      );
      const res = await t.http().get(`${base()}/${theirs.id}`).set(auth(w.owner));
      expectError(res, 404, 'ROLE_NOT_FOUND');
    });

    it("returns 404 ORGANIZATION_NOT_FOUND to another organization's Owner", async () => {
      const created = await createRole('Private Role');
      expectHiddenOrganization(
        await t.http().get(`${base()}/${created.id}`).set(auth(w.otherOwner)),
        'Private Role',
      );
    });

    it('returns 400 naming the path parameter for a malformed ID', async () => {
      for (const bad of ['dept_abc', 'role_', 'role_%2Fx', 'ROLE_abc']) {
        const res = await t.http().get(`${base()}/${bad}`).set(auth(w.member));
        expectError(res, 400, 'VALIDATION_ERROR');
        expect(locsOf(res)).toEqual(['path.role_id']);
      }
    });
  });

  describe('updateRole', () => {
    it('renames a custom role and keeps its key', async () => {
      const created = await createRole('Temp Staff', 'Seasonal');
      const res = await t
        .http()
        .patch(`${base()}/${created.id}`)
        .set(auth(w.admin))
        .send({ name: 'Temporary Staff' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...created, name: 'Temporary Staff' });
      expect(res.body.key).toBe('temp-staff');
    });

    it('clears the description with null, and an empty body changes nothing', async () => {
      const created = await createRole('Describer', 'Something');
      const cleared = await t
        .http()
        .patch(`${base()}/${created.id}`)
        .set(auth(w.owner))
        .send({ description: null });
      expect(cleared.body).toEqual({ ...created, description: null });
      const same = await t.http().patch(`${base()}/${created.id}`).set(auth(w.owner)).send({});
      expect(same.body).toEqual({ ...created, description: null });
    });

    it("returns 409 ROLE_ALREADY_EXISTS when renaming onto another role's name (system names included)", async () => {
      await createRole('Taken Name');
      const created = await createRole('Renamer');
      for (const name of ['taken name', 'Admin']) {
        const res = await t.http().patch(`${base()}/${created.id}`).set(auth(w.admin)).send({ name });
        expect(expectError(res, 409, 'ROLE_ALREADY_EXISTS').details).toEqual({ name });
      }
      expect((await roleRow(created.id))?.name).toBe('Renamer');
    });

    it("returns 404 ROLE_NOT_FOUND for an unknown ID and for another organization's role", async () => {
      expectError(
        await t
          .http()
          .patch(`${base()}/${newId('role')}`)
          .set(auth(w.admin))
          .send({ name: 'X' }),
        404,
        'ROLE_NOT_FOUND',
      );
      const theirs = await t.http().post(base(w.otherOrgId)).set(auth(w.otherOwner)).send({ name: 'Theirs' });
      expectError(
        await t.http().patch(`${base()}/${theirs.body.id}`).set(auth(w.owner)).send({ name: 'Mine' }),
        404,
        'ROLE_NOT_FOUND',
      );
      expect((await roleRow(theirs.body.id))?.name).toBe('Theirs');
    });

    it('returns 403 INSUFFICIENT_PERMISSIONS for a Member, before revealing whether the role is a system role', async () => {
      const created = await createRole('Member Proof');
      for (const id of [created.id, w.roles.owner]) {
        expectError(
          await t.http().patch(`${base()}/${id}`).set(auth(w.member)).send({ name: 'Hacked' }),
          403,
          'INSUFFICIENT_PERMISSIONS',
        );
      }
      expect((await roleRow(created.id))?.name).toBe('Member Proof');
    });

    it("returns 404 ORGANIZATION_NOT_FOUND to another organization's Owner", async () => {
      const created = await createRole('Outsider Proof');
      expectHiddenOrganization(
        await t.http().patch(`${base()}/${created.id}`).set(auth(w.otherOwner)).send({ name: 'X' }),
        'Outsider Proof',
      );
      expect((await roleRow(created.id))?.name).toBe('Outsider Proof');
    });

    it('returns 400 for null names, wrong types, unknown fields and malformed IDs', async () => {
      const created = await createRole('Strict');
      for (const [body, locs] of [
        [{ name: null }, ['body.name']],
        [{ name: 'n'.repeat(101) }, ['body.name']],
        [{ description: 5 }, ['body.description']],
        [{ is_system: true }, ['body.is_system']],
        [{ key: 'admin' }, ['body.key']],
      ] as const) {
        const res = await t.http().patch(`${base()}/${created.id}`).set(auth(w.admin)).send(body);
        expectError(res, 400, 'VALIDATION_ERROR');
        expect(locsOf(res)).toEqual(locs);
      }
      const malformed = await t.http().patch(`${base()}/role-1`).set(auth(w.admin)).send({ name: 'X' });
      expectError(malformed, 400, 'VALIDATION_ERROR');
      expect(locsOf(malformed)).toEqual(['path.role_id']);
    });
  });

  describe('deleteRole', () => {
    it('deletes an unused custom role', async () => {
      const created = await createRole('Disposable');
      const res = await t.http().delete(`${base()}/${created.id}`).set(auth(w.admin));
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expectError(await t.http().get(`${base()}/${created.id}`).set(auth(w.member)), 404, 'ROLE_NOT_FOUND');
      expectError(await t.http().delete(`${base()}/${created.id}`).set(auth(w.admin)), 404, 'ROLE_NOT_FOUND');
    });

    it('returns 409 ROLE_IN_USE while an active member holds the role, and deletes it once released', async () => {
      const created = await createRole('Held Active');
      const holder = await createActiveMember(t, w.orgId, [w.roles.member, created.id as string]);
      const res = await t.http().delete(`${base()}/${created.id}`).set(auth(w.owner));
      const error = expectError(res, 409, 'ROLE_IN_USE');
      expect(error.details).toEqual({ role_id: created.id });
      expect(await roleRow(created.id)).toBeDefined();
      await t.dataSource.query(
        `DELETE FROM membership_roles WHERE role_id = $1 AND membership_id IN (SELECT id FROM memberships WHERE user_id = $2)`,
        [created.id, holder.userId],
      );
      expect((await t.http().delete(`${base()}/${created.id}`).set(auth(w.owner))).status).toBe(204);
    });

    it('returns 409 ROLE_IN_USE while a pending invitation names the role', async () => {
      const created = await createRole('Held Pending');
      await pendingMembershipHolding(created.id as string);
      expectError(await t.http().delete(`${base()}/${created.id}`).set(auth(w.admin)), 409, 'ROLE_IN_USE');
      expect(await roleRow(created.id)).toBeDefined();
    });

    it("returns 404 ROLE_NOT_FOUND for another organization's role and leaves it", async () => {
      const theirs = await t
        .http()
        .post(base(w.otherOrgId))
        .set(auth(w.otherOwner))
        .send({ name: 'Survivor' });
      expectError(
        await t.http().delete(`${base()}/${theirs.body.id}`).set(auth(w.owner)),
        404,
        'ROLE_NOT_FOUND',
      );
      expect(await roleRow(theirs.body.id)).toBeDefined();
    });

    it('returns 403 INSUFFICIENT_PERMISSIONS for a Member and deletes nothing', async () => {
      const created = await createRole('Undeletable By Members');
      expectError(
        await t.http().delete(`${base()}/${created.id}`).set(auth(w.member)),
        403,
        'INSUFFICIENT_PERMISSIONS',
      );
      expect(await roleRow(created.id)).toBeDefined();
    });

    it("returns 404 ORGANIZATION_NOT_FOUND to another organization's Owner and deletes nothing", async () => {
      const created = await createRole('Fortified');
      expectHiddenOrganization(
        await t.http().delete(`${base()}/${created.id}`).set(auth(w.otherOwner)),
        'Fortified',
      );
      expect(await roleRow(created.id)).toBeDefined();
    });

    it('returns 400 naming the path parameter for a malformed ID', async () => {
      const res = await t.http().delete(`${base()}/inv_abc`).set(auth(w.admin));
      expectError(res, 400, 'VALIDATION_ERROR');
      expect(locsOf(res)).toEqual(['path.role_id']);
    });
  });

  it('accepts the organization slug in place of its ID on every route', async () => {
    const bySlug = base(w.orgSlug);
    const created = await t.http().post(bySlug).set(auth(w.admin)).send({ name: 'Slug Role' });
    expect(created.status).toBe(201);
    expect(created.body.organization_id).toBe(w.orgId);
    const list = await t.http().get(bySlug).query({ limit: 100 }).set(auth(w.member));
    expect(list.body.data.map((r: { id: string }) => r.id)).toEqual(
      expect.arrayContaining([created.body.id, w.roles.owner]),
    );
    expect((await t.http().get(`${bySlug}/${created.body.id}`).set(auth(w.member))).body).toEqual(
      created.body,
    );
    expect(
      (await t.http().patch(`${bySlug}/${created.body.id}`).set(auth(w.admin)).send({ name: 'Slug Role 2' }))
        .body.name,
    ).toBe('Slug Role 2');
    expectError(
      await t.http().patch(`${bySlug}/${w.roles.admin}`).set(auth(w.admin)).send({}),
      409,
      'ROLE_IS_SYSTEM',
    );
    expect((await t.http().delete(`${bySlug}/${created.body.id}`).set(auth(w.admin))).status).toBe(204);
    expectHiddenOrganization(await t.http().get(bySlug).set(auth(w.otherOwner)));
  });
});
