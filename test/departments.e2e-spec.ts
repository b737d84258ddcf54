import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Response } from 'supertest';
import { newId } from '../src/common/ids/ids.js';
import { expectError, fieldErrorLocs } from './support/envelope.js';
import { auth, createOrganizationWithOwner, World, createWorld } from './support/fixtures.js';
import { walkPages } from './support/pagination.js';
import { createTestApp, TestApp } from './support/test-app.js';

const DEPT_ID = /^dept_[A-Za-z0-9]{22}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** The distinct locations of the field errors, sorted (one field can fail several rules). */
const locsOf = (res: Response) => [...new Set(fieldErrorLocs(res))].sort();

describe('departments', () => {
  let t: TestApp;
  let w: World;
  const base = (org: string = w.orgId) => `/v1/organizations/${org}/departments`;

  beforeAll(async () => {
    t = await createTestApp();
    w = await createWorld(t);
  });
  afterAll(() => t.close());

  async function createDepartment(
    name: string,
    description?: string | null,
  ): Promise<Record<string, unknown>> {
    const res = await t.http().post(base()).set(auth(w.admin)).send({ name, description });
    expect(res.status).toBe(201);
    return res.body as Record<string, unknown>;
  }

  async function departmentCount(orgId: string): Promise<number> {
    const [row] = await t.dataSource.query(
      'SELECT count(*)::int AS n FROM departments WHERE organization_id = $1',
      [orgId],
    );
    return row.n as number;
  }

  /** Another organization's Owner learns nothing: the 404 of a non-existent organization, with empty details. */
  function expectHiddenOrganization(res: Response, ...secrets: string[]): void {
    const error = expectError(res, 404, 'ORGANIZATION_NOT_FOUND');
    expect(error.details).toEqual({});
    const text = JSON.stringify(res.body);
    for (const secret of secrets) expect(text).not.toContain(secret);
  }

  describe('createDepartment', () => {
    it('creates a department as an Admin and returns it', async () => {
      const res = await t
        .http()
        .post(base())
        .set(auth(w.admin))
        .send({ name: '  Engineering  ', description: 'Builds things.' });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(DEPT_ID),
        organization_id: w.orgId,
        name: 'Engineering',
        description: 'Builds things.',
        created_at: expect.stringMatching(ISO),
        updated_at: expect.stringMatching(ISO),
      });
      const [row] = await t.dataSource.query('SELECT organization_id, name FROM departments WHERE id = $1', [
        res.body.id,
      ]);
      expect(row).toEqual({ organization_id: w.orgId, name: 'Engineering' });
    });

    it('creates a department as an Owner, without a description', async () => {
      const res = await t.http().post(base()).set(auth(w.owner)).send({ name: 'Sales' });
      expect(res.status).toBe(201);
      expect(res.body.description).toBeNull();
    });

    it('returns 409 DEPARTMENT_ALREADY_EXISTS for a name that differs only in case', async () => {
      await createDepartment('Research');
      const res = await t.http().post(base()).set(auth(w.admin)).send({ name: 'research' });
      const error = expectError(res, 409, 'DEPARTMENT_ALREADY_EXISTS');
      expect(error.details).toEqual({ name: 'research' });
      expect(error.message).toBe('A department with this name already exists.');
    });

    it('allows the same name in another organization', async () => {
      await createDepartment('Support');
      const res = await t.http().post(base(w.otherOrgId)).set(auth(w.otherOwner)).send({ name: 'Support' });
      expect(res.status).toBe(201);
      expect(res.body.organization_id).toBe(w.otherOrgId);
    });

    it('creates exactly one department when the same name is posted concurrently', async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, () => t.http().post(base()).set(auth(w.admin)).send({ name: 'Race Dept' })),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
      for (const r of results.filter((x) => x.status === 409))
        expectError(r, 409, 'DEPARTMENT_ALREADY_EXISTS');
    });

    it('returns 403 INSUFFICIENT_PERMISSIONS for a Member and creates nothing', async () => {
      const before = await departmentCount(w.orgId);
      const res = await t.http().post(base()).set(auth(w.member)).send({ name: 'Member Dept' });
      expectError(res, 403, 'INSUFFICIENT_PERMISSIONS');
      expect(await departmentCount(w.orgId)).toBe(before);
    });

    it("returns 404 ORGANIZATION_NOT_FOUND to another organization's Owner and creates nothing", async () => {
      const before = await departmentCount(w.orgId);
      const res = await t.http().post(base()).set(auth(w.otherOwner)).send({ name: 'Intruder Dept' });
      expectHiddenOrganization(res, 'Acme', w.orgSlug);
      expect(await departmentCount(w.orgId)).toBe(before);
    });

    it('returns 401 AUTHENTICATION_REQUIRED without credentials', async () => {
      expectError(await t.http().post(base()).send({ name: 'Anon' }), 401, 'AUTHENTICATION_REQUIRED');
    });

    it('returns 400 with field errors for unknown fields, wrong types and too-long strings', async () => {
      const res = await t
        .http()
        .post(base())
        .set(auth(w.admin))
        .send({ name: 'x'.repeat(101), description: 42, key: 'nope' });
      expectError(res, 400, 'VALIDATION_ERROR');
      expect(locsOf(res)).toEqual(['body.description', 'body.key', 'body.name'].sort());
      const types = (res.body.error.details.errors as { type: string }[]).map((e) => e.type);
      expect(types).toEqual(expect.arrayContaining(['extra_forbidden', 'max_length', 'is_string']));
    });

    it('returns 400 for a missing, null or blank name and a too-long description', async () => {
      for (const body of [
        {},
        { name: null },
        { name: '   ' },
        { name: 'Ok', description: 'd'.repeat(501) },
      ]) {
        const res = await t.http().post(base()).set(auth(w.admin)).send(body);
        expectError(res, 400, 'VALIDATION_ERROR');
        expect(locsOf(res)).toEqual([body.name === 'Ok' ? 'body.description' : 'body.name']);
      }
    });
  });

  describe('listDepartments', () => {
    it('lists the departments to a Member, each once, scoped to the organization', async () => {
      const created = await createDepartment('Listed', 'Shown in the list');
      const res = await t.http().get(base()).query({ limit: 100 }).set(auth(w.member));
      expect(res.status).toBe(200);
      expect(res.body.has_more).toBe(false);
      expect(res.body.next_cursor).toBeNull();
      const ids = (res.body.data as { id: string }[]).map((d) => d.id);
      expect(ids).toContain(created.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(res.body.data.every((d: { organization_id: string }) => d.organization_id === w.orgId)).toBe(
        true,
      );
      expect(res.body.data.find((d: { id: string }) => d.id === created.id)).toEqual(created);
    });

    it("returns 404 ORGANIZATION_NOT_FOUND to another organization's Owner, with no department in the body", async () => {
      const created = await createDepartment('Secret Dept');
      const res = await t.http().get(base()).set(auth(w.otherOwner));
      expectHiddenOrganization(res, created.id as string, 'Secret Dept');
    });

    it('returns 400 for a bad cursor, a malformed limit and unknown query parameters', async () => {
      for (const [query, loc] of [
        [{ cursor: 'not-a-cursor' }, 'query.cursor'],
        [{ cursor: Buffer.from('{"t":"x","i":"dept_1"}').toString('base64url') }, 'query.cursor'],
        [{ limit: '0' }, 'query.limit'],
        [{ limit: '101' }, 'query.limit'],
        [{ limit: 'ten' }, 'query.limit'],
        [{ sort: 'name' }, 'query.sort'],
      ] as const) {
        const res = await t.http().get(base()).query(query).set(auth(w.member));
        expectError(res, 400, 'VALIDATION_ERROR');
        expect(locsOf(res)).toEqual([loc]);
      }
    });

    it('walks 250 departments in pages of 100 and sees each exactly once', async () => {
      // A fresh organization, so the list holds exactly these rows. One INSERT gives all 250 the
      // same created_at, so the walk also proves the id tie-breaker in the keyset.
      const { orgId, owner } = await createOrganizationWithOwner(t, 'Walk Corp');
      const ids = Array.from({ length: 250 }, () => newId('dept'));
      await t.dataSource.query(
        `INSERT INTO departments (id, organization_id, name)
         SELECT id, $2, 'Dept ' || ord FROM unnest($1::varchar[]) WITH ORDINALITY AS x(id, ord)`,
        [ids, orgId],
      );
      const walk = await walkPages(t, base(orgId), owner, 100);
      expect(walk.pageSizes).toEqual([100, 100, 50]);
      expect(walk.ids).toHaveLength(250);
      expect(new Set(walk.ids).size).toBe(250);
      expect([...walk.ids].sort()).toEqual([...ids].sort());
    });

    it('keeps later pages stable when departments are added mid-walk', async () => {
      const { orgId, owner } = await createOrganizationWithOwner(t, 'Stable Corp');
      for (let i = 0; i < 5; i++) {
        expect(
          (
            await t
              .http()
              .post(base(orgId))
              .set(auth(owner))
              .send({ name: `Early ${i}` })
          ).status,
        ).toBe(201);
      }
      const first = await t.http().get(base(orgId)).query({ limit: 3 }).set(auth(owner));
      expect(first.body.has_more).toBe(true);
      const added = await t.http().post(base(orgId)).set(auth(owner)).send({ name: 'Late' });
      const second = await t
        .http()
        .get(base(orgId))
        .query({ limit: 100, cursor: first.body.next_cursor })
        .set(auth(owner));
      const seen = [...first.body.data, ...second.body.data].map((d: { id: string }) => d.id);
      expect(seen).toHaveLength(6);
      expect(new Set(seen).size).toBe(6);
      expect(seen[5]).toBe(added.body.id);
    });
  });

  describe('getDepartment', () => {
    it('returns the department to a Member', async () => {
      const created = await createDepartment('Finance', 'Money');
      const res = await t.http().get(`${base()}/${created.id}`).set(auth(w.member));
      expect(res.status).toBe(200);
      expect(res.body).toEqual(created);
    });

    it('returns 404 DEPARTMENT_NOT_FOUND for an unknown ID', async () => {
      const unknown = newId('dept');
      const error = expectError(
        await t.http().get(`${base()}/${unknown}`).set(auth(w.member)),
        404,
        'DEPARTMENT_NOT_FOUND',
      );
      expect(error.details).toEqual({ department_id: unknown });
    });

    it("returns 404 DEPARTMENT_NOT_FOUND for another organization's department ID", async () => {
      const theirs = await t
        .http()
        .post(base(w.otherOrgId))
        .set(auth(w.otherOwner))
        .send({ name: 'Their Dept' });
      const res = await t.http().get(`${base()}/${theirs.body.id}`).set(auth(w.owner));
      expectError(res, 404, 'DEPARTMENT_NOT_FOUND');
      expect(JSON.stringify(res.body)).not.toContain('Their Dept');
    });

    it("returns 404 ORGANIZATION_NOT_FOUND to another organization's Owner, with no department in the body", async () => {
      const created = await createDepartment('Hidden');
      expectHiddenOrganization(
        await t.http().get(`${base()}/${created.id}`).set(auth(w.otherOwner)),
        'Hidden',
        created.id as string,
      );
    });

    it('returns 400 naming the path parameter for a malformed ID', async () => {
      for (const bad of ['role_abc', 'dept_', 'dept_a-b', `dept_${'a'.repeat(65)}`]) {
        const res = await t.http().get(`${base()}/${bad}`).set(auth(w.member));
        expectError(res, 400, 'VALIDATION_ERROR');
        expect(locsOf(res)).toEqual(['path.department_id']);
      }
    });
  });

  describe('updateDepartment', () => {
    it('renames and redescribes a department as an Admin', async () => {
      const created = await createDepartment('Ops', 'Old');
      const res = await t
        .http()
        .patch(`${base()}/${created.id}`)
        .set(auth(w.admin))
        .send({ name: ' Operations ', description: 'New' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        ...created,
        name: 'Operations',
        description: 'New',
        updated_at: expect.stringMatching(ISO),
      });
      const [row] = await t.dataSource.query(
        'SELECT name, updated_at > created_at AS bumped FROM departments WHERE id = $1',
        [created.id],
      );
      expect(row).toEqual({ name: 'Operations', bumped: true });
    });

    it('clears the description with null and leaves omitted fields unchanged', async () => {
      const created = await createDepartment('Legal', 'Contracts');
      const res = await t
        .http()
        .patch(`${base()}/${created.id}`)
        .set(auth(w.owner))
        .send({ description: null });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: 'Legal', description: null });
      const empty = await t.http().patch(`${base()}/${created.id}`).set(auth(w.owner)).send({});
      expect(empty.status).toBe(200);
      expect(empty.body).toMatchObject({ name: 'Legal', description: null });
    });

    it('allows changing only the case of its own name', async () => {
      const created = await createDepartment('design');
      const res = await t.http().patch(`${base()}/${created.id}`).set(auth(w.admin)).send({ name: 'Design' });
      expect(res.status).toBe(200);
      expect(res.body.name).toBe('Design');
    });

    it("returns 409 DEPARTMENT_ALREADY_EXISTS when renaming onto another department's name", async () => {
      await createDepartment('Marketing');
      const created = await createDepartment('Growth');
      const res = await t
        .http()
        .patch(`${base()}/${created.id}`)
        .set(auth(w.admin))
        .send({ name: 'MARKETING' });
      expect(expectError(res, 409, 'DEPARTMENT_ALREADY_EXISTS').details).toEqual({ name: 'MARKETING' });
    });

    it("returns 404 DEPARTMENT_NOT_FOUND for an unknown ID and for another organization's department", async () => {
      expectError(
        await t
          .http()
          .patch(`${base()}/${newId('dept')}`)
          .set(auth(w.admin))
          .send({ name: 'X' }),
        404,
        'DEPARTMENT_NOT_FOUND',
      );
      const theirs = await t
        .http()
        .post(base(w.otherOrgId))
        .set(auth(w.otherOwner))
        .send({ name: 'Not Yours' });
      const res = await t
        .http()
        .patch(`${base()}/${theirs.body.id}`)
        .set(auth(w.owner))
        .send({ name: 'Taken Over' });
      expectError(res, 404, 'DEPARTMENT_NOT_FOUND');
      const [row] = await t.dataSource.query('SELECT name FROM departments WHERE id = $1', [theirs.body.id]);
      expect(row.name).toBe('Not Yours');
    });

    it('returns 403 INSUFFICIENT_PERMISSIONS for a Member and changes nothing', async () => {
      const created = await createDepartment('Unchanged');
      expectError(
        await t.http().patch(`${base()}/${created.id}`).set(auth(w.member)).send({ name: 'Changed' }),
        403,
        'INSUFFICIENT_PERMISSIONS',
      );
      expect((await t.http().get(`${base()}/${created.id}`).set(auth(w.member))).body.name).toBe('Unchanged');
    });

    it("returns 404 ORGANIZATION_NOT_FOUND to another organization's Owner and changes nothing", async () => {
      const created = await createDepartment('Guarded');
      const res = await t
        .http()
        .patch(`${base()}/${created.id}`)
        .set(auth(w.otherOwner))
        .send({ name: 'Pwned' });
      expectHiddenOrganization(res, 'Guarded');
      expect((await t.http().get(`${base()}/${created.id}`).set(auth(w.member))).body.name).toBe('Guarded');
    });

    it('returns 400 for null or blank names, wrong types, unknown fields and malformed IDs', async () => {
      const created = await createDepartment('Validated');
      for (const [body, locs] of [
        [{ name: null }, ['body.name']],
        [{ name: '' }, ['body.name']],
        [{ name: 'n'.repeat(101) }, ['body.name']],
        [{ description: ['x'] }, ['body.description']],
        [{ organization_id: w.otherOrgId }, ['body.organization_id']],
      ] as const) {
        const res = await t.http().patch(`${base()}/${created.id}`).set(auth(w.admin)).send(body);
        expectError(res, 400, 'VALIDATION_ERROR');
        expect(locsOf(res)).toEqual(locs);
      }
      const malformed = await t.http().patch(`${base()}/not-an-id`).set(auth(w.admin)).send({ name: 'X' });
      expectError(malformed, 400, 'VALIDATION_ERROR');
      expect(locsOf(malformed)).toEqual(['path.department_id']);
    });
  });

  describe('deleteDepartment', () => {
    it("deletes a department and its members' assignments, keeping the members", async () => {
      const created = await createDepartment('Doomed');
      const [membership] = await t.dataSource.query(
        'SELECT id FROM memberships WHERE organization_id = $1 AND user_id = $2',
        [w.orgId, w.member.userId],
      );
      await t.dataSource.query(
        'INSERT INTO membership_departments (membership_id, department_id) VALUES ($1, $2)',
        [membership.id, created.id],
      );
      const res = await t.http().delete(`${base()}/${created.id}`).set(auth(w.admin));
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expectError(
        await t.http().get(`${base()}/${created.id}`).set(auth(w.member)),
        404,
        'DEPARTMENT_NOT_FOUND',
      );
      const assignments = await t.dataSource.query(
        'SELECT 1 FROM membership_departments WHERE department_id = $1',
        [created.id],
      );
      expect(assignments).toHaveLength(0);
      const [kept] = await t.dataSource.query('SELECT account_state FROM memberships WHERE id = $1', [
        membership.id,
      ]);
      expect(kept.account_state).toBe('active');
    });

    it("returns 404 DEPARTMENT_NOT_FOUND when deleting twice, an unknown ID or another organization's department", async () => {
      const created = await createDepartment('Once');
      expect((await t.http().delete(`${base()}/${created.id}`).set(auth(w.owner))).status).toBe(204);
      expectError(
        await t.http().delete(`${base()}/${created.id}`).set(auth(w.owner)),
        404,
        'DEPARTMENT_NOT_FOUND',
      );
      const theirs = await t
        .http()
        .post(base(w.otherOrgId))
        .set(auth(w.otherOwner))
        .send({ name: 'Keep Me' });
      expectError(
        await t.http().delete(`${base()}/${theirs.body.id}`).set(auth(w.owner)),
        404,
        'DEPARTMENT_NOT_FOUND',
      );
      expect(
        await t.dataSource.query('SELECT 1 FROM departments WHERE id = $1', [theirs.body.id]),
      ).toHaveLength(1);
    });

    it('returns 403 INSUFFICIENT_PERMISSIONS for a Member and deletes nothing', async () => {
      const created = await createDepartment('Sturdy');
      expectError(
        await t.http().delete(`${base()}/${created.id}`).set(auth(w.member)),
        403,
        'INSUFFICIENT_PERMISSIONS',
      );
      expect(await t.dataSource.query('SELECT 1 FROM departments WHERE id = $1', [created.id])).toHaveLength(
        1,
      );
    });

    it("returns 404 ORGANIZATION_NOT_FOUND to another organization's Owner and deletes nothing", async () => {
      const created = await createDepartment('Protected');
      expectHiddenOrganization(
        await t.http().delete(`${base()}/${created.id}`).set(auth(w.otherOwner)),
        'Protected',
      );
      expect(await t.dataSource.query('SELECT 1 FROM departments WHERE id = $1', [created.id])).toHaveLength(
        1,
      );
    });

    it('returns 400 naming the path parameter for a malformed ID', async () => {
      const res = await t.http().delete(`${base()}/usr_abc`).set(auth(w.admin));
      expectError(res, 400, 'VALIDATION_ERROR');
      expect(locsOf(res)).toEqual(['path.department_id']);
    });
  });

  it('accepts the organization slug in place of its ID on every route', async () => {
    const bySlug = base(w.orgSlug);
    const created = await t.http().post(bySlug).set(auth(w.admin)).send({ name: 'Slugged' });
    expect(created.status).toBe(201);
    expect(created.body.organization_id).toBe(w.orgId);
    const list = await t.http().get(bySlug).query({ limit: 100 }).set(auth(w.member));
    expect(list.body.data.map((d: { id: string }) => d.id)).toContain(created.body.id);
    expect((await t.http().get(`${bySlug}/${created.body.id}`).set(auth(w.member))).body).toEqual(
      created.body,
    );
    const renamed = await t
      .http()
      .patch(`${bySlug}/${created.body.id}`)
      .set(auth(w.admin))
      .send({ name: 'Slugged Too' });
    expect(renamed.body.name).toBe('Slugged Too');
    expect((await t.http().delete(`${bySlug}/${created.body.id}`).set(auth(w.admin))).status).toBe(204);
    expectHiddenOrganization(await t.http().get(bySlug).set(auth(w.otherOwner)));
  });
});
