import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Response } from 'supertest';
import { ApiKeysService } from '../src/api-keys/api-keys.service.js';
import { newId } from '../src/common/ids/ids.js';
import { expectError, fieldErrorLocs } from './support/envelope.js';
import {
  Actor,
  auth,
  createActiveMember,
  createWorld,
  systemRoles,
  uniqueEmail,
  World,
} from './support/fixtures.js';
import { walkPages } from './support/pagination.js';
import { createTestApp, TestApp } from './support/test-app.js';

const ORG_ID = /^org_[A-Za-z0-9]{22}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** The distinct locations of the field errors, sorted (one field can fail several rules). */
const locsOf = (res: Response) => [...new Set(fieldErrorLocs(res))].sort();

describe('organizations', () => {
  let t: TestApp;
  let w: World;
  const path = (org: string) => `/v1/organizations/${org}`;

  beforeAll(async () => {
    // This suite creates many organizations per user; that limit has its own test (rate-limits).
    t = await createTestApp({ RATE_LIMIT_ORG_CREATES_PER_USER_PER_HOUR: '1000' });
    w = await createWorld(t);
  });
  afterAll(() => t.close());

  /** A user with an API key and no organization yet: anyone may create one. */
  async function loneUser(): Promise<Actor> {
    const userId = newId('usr');
    const email = uniqueEmail('founder');
    await t.dataSource.query('INSERT INTO users (id, email, activated_at) VALUES ($1, $2, now())', [
      userId,
      email,
    ]);
    const { key } = await t.app.get(ApiKeysService).issue(userId, 'test');
    return { userId, email, key };
  }

  async function createOrganization(
    actor: Actor,
    body: Record<string, unknown>,
  ): Promise<Record<string, string>> {
    const res = await t.http().post('/v1/organizations').set(auth(actor)).send(body);
    expect(res.status).toBe(201);
    return res.body as Record<string, string>;
  }

  function expectHiddenOrganization(res: Response, ...secrets: string[]): void {
    const error = expectError(res, 404, 'ORGANIZATION_NOT_FOUND');
    expect(error.details).toEqual({});
    const text = JSON.stringify(res.body);
    for (const secret of secrets) expect(text).not.toContain(secret);
  }

  describe('createOrganization', () => {
    it('creates an organization whose creator is its Owner, with the three system roles', async () => {
      const founder = await loneUser();
      const res = await t
        .http()
        .post('/v1/organizations')
        .set(auth(founder))
        .send({ name: '  Globex Corporation ' });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(ORG_ID),
        name: 'Globex Corporation',
        slug: 'globex-corporation',
        invite_policy: 'any',
        auto_join: { enabled: false, role_id: null },
        created_at: expect.stringMatching(ISO),
        updated_at: expect.stringMatching(ISO),
      });
      const roles = await t
        .http()
        .get(`${path(res.body.id)}/roles`)
        .set(auth(founder));
      expect(roles.status).toBe(200);
      const system = (roles.body.data as { key: string; is_system: boolean }[])
        .map((r) => [r.key, r.is_system])
        .sort();
      expect(system).toEqual([
        ['admin', true],
        ['member', true],
        ['owner', true],
      ]);
      const ownerRoleId = (roles.body.data as { id: string; key: string }[]).find(
        (r) => r.key === 'owner',
      )!.id;
      const me = await t.http().get('/v1/me').set(auth(founder));
      expect(me.body.memberships).toEqual([
        {
          organization_id: res.body.id,
          organization_name: 'Globex Corporation',
          organization_slug: 'globex-corporation',
          account_state: 'active',
          role_ids: [ownerRoleId],
          department_ids: [],
        },
      ]);
      // Owner power: may update the organization.
      expect(
        (await t.http().patch(path(res.body.id)).set(auth(founder)).send({ name: 'Globex' })).status,
      ).toBe(200);
    });

    it('derives a URL-safe slug from the name, never with an underscore', async () => {
      expect((await createOrganization(w.member, { name: 'Ünïcödé Café & Co.' })).slug).toBe(
        'unicode-cafe-co',
      );
      expect((await createOrganization(w.member, { name: 'org_lookalike' })).slug).toBe('org-lookalike');
      expect((await createOrganization(w.member, { name: '営業部' })).slug).toMatch(/^org(-[a-z0-9]{5})?$/);
      const long = await createOrganization(w.member, { name: 'A very long organization name '.repeat(6) });
      expect(long.slug.length).toBeLessThanOrEqual(48);
      expect(long.slug).toMatch(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/);
    });

    it('suffixes a derived slug that is taken instead of failing', async () => {
      const org = await createOrganization(w.member, { name: 'Acme' });
      expect(org.slug).toMatch(/^acme-[a-z0-9]{5}$/);
      expect(org.slug).not.toBe(w.orgSlug);
    });

    it('uses an explicit slug, and returns 409 ORGANIZATION_SLUG_TAKEN when it is taken', async () => {
      expect((await createOrganization(w.member, { name: 'Initech', slug: 'initech' })).slug).toBe('initech');
      const res = await t
        .http()
        .post('/v1/organizations')
        .set(auth(w.admin))
        .send({ name: 'Initech Two', slug: 'initech' });
      const error = expectError(res, 409, 'ORGANIZATION_SLUG_TAKEN');
      expect(error.details).toEqual({ slug: 'initech' });
      expect(error.message).toBe('This organization slug is already taken.');
      expect(await t.dataSource.query(`SELECT 1 FROM organizations WHERE name = 'Initech Two'`)).toHaveLength(
        0,
      );
    });

    it('creates exactly one organization when the same slug is requested concurrently', async () => {
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          t
            .http()
            .post('/v1/organizations')
            .set(auth(w.member))
            .send({ name: `Race ${i}`, slug: 'race' }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
      for (const r of results.filter((x) => x.status === 409)) expectError(r, 409, 'ORGANIZATION_SLUG_TAKEN');
      // The losers' transactions rolled back whole: no orphan roles or memberships.
      const [row] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM roles r LEFT JOIN organizations o ON o.id = r.organization_id WHERE o.id IS NULL`,
      );
      expect(row.n).toBe(0);
    });

    it('returns 400 for slugs that are not lowercase words with inner hyphens (an ID-shaped slug included)', async () => {
      for (const slug of ['org_abc123', 'Acme', '-acme', 'acme-', 'ac me', 'a'.repeat(65), '', null, 5]) {
        const res = await t
          .http()
          .post('/v1/organizations')
          .set(auth(w.member))
          .send({ name: 'Bad Slug', slug });
        expectError(res, 400, 'VALIDATION_ERROR');
        expect(locsOf(res)).toEqual(['body.slug']);
      }
    });

    it('returns 400 with field errors for bad names and unknown fields', async () => {
      for (const [body, locs] of [
        [{}, ['body.name']],
        [{ name: null }, ['body.name']],
        [{ name: '   ' }, ['body.name']],
        [{ name: 'n'.repeat(201) }, ['body.name']],
        [{ name: ['Acme'] }, ['body.name']],
        [{ name: 'Fine', id: 'org_mine' }, ['body.id']],
      ] as const) {
        const res = await t.http().post('/v1/organizations').set(auth(w.member)).send(body);
        expectError(res, 400, 'VALIDATION_ERROR');
        expect(locsOf(res)).toEqual(locs);
      }
    });

    it('returns 401 without credentials', async () => {
      expectError(
        await t.http().post('/v1/organizations').send({ name: 'Anon Inc' }),
        401,
        'AUTHENTICATION_REQUIRED',
      );
    });
  });

  describe('listOrganizations', () => {
    it("lists only the caller's organizations where the membership is active", async () => {
      const user = await loneUser();
      const mine = await createOrganization(user, { name: 'Mine Ltd' });
      // A pending and a deactivated membership elsewhere: neither is listed.
      for (const [orgId, state] of [
        [w.orgId, 'pending_invitation'],
        [w.otherOrgId, 'deactivated'],
      ]) {
        await t.dataSource.query(
          `INSERT INTO memberships (id, organization_id, user_id, account_state) VALUES ($1, $2, $3, $4)`,
          [newId('mem'), orgId, user.userId, state],
        );
      }
      const res = await t.http().get('/v1/organizations').set(auth(user));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ data: [mine], has_more: false, next_cursor: null });
    });

    it('never shows another organization to its non-members', async () => {
      const res = await t.http().get('/v1/organizations').query({ limit: 100 }).set(auth(w.otherOwner));
      expect(res.status).toBe(200);
      expect((res.body.data as { id: string }[]).map((o) => o.id)).toEqual([w.otherOrgId]);
      expect(JSON.stringify(res.body)).not.toContain(w.orgId);
    });

    it('walks 250 organizations in pages of 100 and sees each exactly once', async () => {
      const user = await loneUser();
      const ids = Array.from({ length: 250 }, () => newId('org'));
      await t.dataSource.transaction(async (m) => {
        await m.query(
          `INSERT INTO organizations (id, name, slug)
           SELECT id, 'Walk ' || ord, 'walk-' || ord FROM unnest($1::varchar[]) WITH ORDINALITY AS x(id, ord)`,
          [ids],
        );
        await m.query(
          `INSERT INTO memberships (id, organization_id, user_id, account_state)
           SELECT 'mem_' || substr(id, 5), id, $2, 'active' FROM unnest($1::varchar[]) AS x(id)`,
          [ids, user.userId],
        );
      });
      const walk = await walkPages(t, '/v1/organizations', user, 100);
      expect(walk.pageSizes).toEqual([100, 100, 50]);
      expect(new Set(walk.ids).size).toBe(250);
      expect([...walk.ids].sort()).toEqual([...ids].sort());
    });

    it('returns 400 for a bad cursor, a bad limit and unknown parameters', async () => {
      for (const [query, loc] of [
        [{ cursor: 'abc' }, 'query.cursor'],
        [{ cursor: 'x'.repeat(201) }, 'query.cursor'],
        [{ limit: '1000' }, 'query.limit'],
        [{ user_id: w.owner.userId }, 'query.user_id'],
      ] as const) {
        const res = await t.http().get('/v1/organizations').query(query).set(auth(w.member));
        expectError(res, 400, 'VALIDATION_ERROR');
        expect(locsOf(res)).toEqual([loc]);
      }
    });

    it('returns 401 without credentials', async () => {
      expectError(await t.http().get('/v1/organizations'), 401, 'AUTHENTICATION_REQUIRED');
    });
  });

  describe('getOrganization', () => {
    it('returns the organization to a Member, by ID and by slug alike', async () => {
      const byId = await t.http().get(path(w.orgId)).set(auth(w.member));
      expect(byId.status).toBe(200);
      expect(byId.body).toEqual({
        id: w.orgId,
        name: 'Acme',
        slug: w.orgSlug,
        invite_policy: 'any',
        auto_join: { enabled: false, role_id: null },
        created_at: expect.stringMatching(ISO),
        updated_at: expect.stringMatching(ISO),
      });
      expect((await t.http().get(path(w.orgSlug)).set(auth(w.member))).body).toEqual(byId.body);
    });

    it("returns 404 ORGANIZATION_NOT_FOUND to another organization's Owner, by ID and by slug, with no data", async () => {
      for (const org of [w.orgId, w.orgSlug]) {
        expectHiddenOrganization(await t.http().get(path(org)).set(auth(w.otherOwner)), 'Acme');
      }
    });

    it('answers an unknown organization exactly like a foreign one', async () => {
      for (const org of [newId('org'), 'no-such-slug', 'ORG_x', 'x'.repeat(65), 'org_'.padEnd(80, 'a')]) {
        expectHiddenOrganization(await t.http().get(path(org)).set(auth(w.member)));
      }
    });

    it('returns 404 ORGANIZATION_NOT_FOUND to a deactivated or pending member', async () => {
      const roles = await systemRoles(t, w.orgId);
      for (const state of ['deactivated', 'pending_invitation']) {
        const actor = await createActiveMember(t, w.orgId, [roles.member]);
        await t.dataSource.query('UPDATE memberships SET account_state = $1 WHERE user_id = $2', [
          state,
          actor.userId,
        ]);
        expectHiddenOrganization(await t.http().get(path(w.orgId)).set(auth(actor)), 'Acme');
      }
    });

    it('returns 401 without credentials', async () => {
      expectError(await t.http().get(path(w.orgId)), 401, 'AUTHENTICATION_REQUIRED');
    });
  });

  describe('updateOrganization', () => {
    it('renames an organization as an Admin and bumps updated_at', async () => {
      const org = await createOrganization(w.owner, { name: 'Renamable', slug: 'renamable' });
      const admin = await createActiveMember(t, org.id, [(await systemRoles(t, org.id)).admin]);
      const res = await t.http().patch(path(org.id)).set(auth(admin)).send({ name: ' Renamed ' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...org, name: 'Renamed', updated_at: expect.stringMatching(ISO) });
      const [row] = await t.dataSource.query(
        'SELECT updated_at > created_at AS bumped FROM organizations WHERE id = $1',
        [org.id],
      );
      expect(row.bumped).toBe(true);
    });

    it('changes the slug: the new one resolves at once, the old one no longer does', async () => {
      const org = await createOrganization(w.owner, { name: 'Moving', slug: 'moving-old' });
      const res = await t.http().patch(path('moving-old')).set(auth(w.owner)).send({ slug: 'moving-new' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: org.id, slug: 'moving-new' });
      expect((await t.http().get(path('moving-new')).set(auth(w.owner))).body.id).toBe(org.id);
      expectHiddenOrganization(await t.http().get(path('moving-old')).set(auth(w.owner)));
    });

    it('leaves everything as it was for an empty body', async () => {
      const before = await t.http().get(path(w.orgId)).set(auth(w.owner));
      const res = await t.http().patch(path(w.orgId)).set(auth(w.owner)).send({});
      expect(res.status).toBe(200);
      expect(res.body).toEqual(before.body);
    });

    it('returns 409 ORGANIZATION_SLUG_TAKEN for a slug another organization has', async () => {
      const org = await createOrganization(w.owner, { name: 'Slug Thief', slug: 'slug-thief' });
      const otherSlug: string = (
        await t.dataSource.query('SELECT slug FROM organizations WHERE id = $1', [w.otherOrgId])
      )[0].slug;
      const res = await t.http().patch(path(org.id)).set(auth(w.owner)).send({ slug: otherSlug });
      expect(expectError(res, 409, 'ORGANIZATION_SLUG_TAKEN').details).toEqual({ slug: otherSlug });
      expect((await t.http().get(path(org.id)).set(auth(w.owner))).body.slug).toBe('slug-thief');
    });

    it('returns 403 INSUFFICIENT_PERMISSIONS for a Member and changes nothing', async () => {
      expectError(
        await t.http().patch(path(w.orgId)).set(auth(w.member)).send({ name: 'Mine Now' }),
        403,
        'INSUFFICIENT_PERMISSIONS',
      );
      expect((await t.http().get(path(w.orgId)).set(auth(w.member))).body.name).toBe('Acme');
    });

    it("returns 404 ORGANIZATION_NOT_FOUND to another organization's Owner, by ID and by slug, and changes nothing", async () => {
      for (const org of [w.orgId, w.orgSlug]) {
        expectHiddenOrganization(
          await t.http().patch(path(org)).set(auth(w.otherOwner)).send({ name: 'Taken Over' }),
          'Acme',
        );
      }
      expect((await t.http().get(path(w.orgId)).set(auth(w.member))).body.name).toBe('Acme');
    });

    it('returns 400 for null or bad fields, an ID-shaped slug and unknown fields', async () => {
      for (const [body, locs] of [
        [{ name: null }, ['body.name']],
        [{ slug: null }, ['body.slug']],
        [{ name: '' }, ['body.name']],
        [{ name: 'n'.repeat(201) }, ['body.name']],
        [{ slug: w.otherOrgId }, ['body.slug']],
        [{ slug: 'UPPER' }, ['body.slug']],
        [{ name: 3, id: 'org_x' }, ['body.id', 'body.name']],
      ] as const) {
        const res = await t.http().patch(path(w.orgId)).set(auth(w.owner)).send(body);
        expectError(res, 400, 'VALIDATION_ERROR');
        expect(locsOf(res)).toEqual(locs);
      }
    });
  });

  describe('slugs and IDs never collide', () => {
    it('the database refuses a slug shaped like an ID, whoever writes it', async () => {
      await expect(
        t.dataSource.query(`INSERT INTO organizations (id, name, slug) VALUES ($1, 'Sneaky', $2)`, [
          newId('org'),
          w.otherOrgId,
        ]),
      ).rejects.toThrow(/ck_organizations_slug/);
    });

    it('a path segment starting with org_ is always an ID and anything else always a slug', async () => {
      // The ID of Acme used as if it were a slug elsewhere cannot exist, so it resolves to Acme only.
      expect((await t.http().get(path(w.orgId)).set(auth(w.owner))).body.slug).toBe(w.orgSlug);
      // Acme's slug prefixed like an ID is not Acme.
      expectHiddenOrganization(
        await t
          .http()
          .get(path(`org_${w.orgSlug}`))
          .set(auth(w.owner)),
      );
    });
  });
});
