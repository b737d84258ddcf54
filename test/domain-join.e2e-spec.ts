import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { newId } from '../src/common/ids/ids.js';
import { expectError } from './support/envelope.js';
import { Actor, auth, createActiveMember, createWorld, World } from './support/fixtures.js';
import { GENEROUS_LIMITS, insertCustomRole, membershipOf } from './support/invitations.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { ApiKeysService } from '../src/api-keys/api-keys.service.js';

/**
 * Joining by verified email domain: GET /v1/me/organization-suggestions and POST …/join. Domains
 * are marked verified in the database here; their DNS verification has its own suite (domains).
 */
describe('joining an organization by email domain', () => {
  let t: TestApp;
  let w: World;
  let domain: string;

  beforeAll(async () => {
    t = await createTestApp(GENEROUS_LIMITS);
    w = await createWorld(t);
    domain = `join-${randomBytes(4).toString('hex')}.test`;
    await verifiedDomain(w.orgId, domain);
    const res = await t
      .http()
      .patch(`/v1/organizations/${w.orgId}`)
      .set(auth(w.owner))
      .send({ auto_join: { enabled: true } });
    expect(res.body.auto_join).toEqual({ enabled: true, role_id: w.roles.member });
  });
  afterAll(() => t.close());

  async function verifiedDomain(orgId: string, name: string, status = 'verified'): Promise<void> {
    await t.dataSource.query(
      `INSERT INTO organization_domains (id, organization_id, domain, status, verification_value, verified_at)
       VALUES ($1, $2, $3, $4::varchar, 'v', CASE WHEN $4::varchar = 'verified' THEN now() END)`,
      [newId('dom'), orgId, name, status],
    );
  }

  let n = 0;
  /** A user with no membership, an API key, and an email at `at`, verified unless said otherwise. */
  async function person(at: string, verified = true): Promise<Actor> {
    const userId = newId('usr');
    const email = `person${++n}-${Date.now().toString(36)}@${at}`;
    await t.dataSource.query(
      `INSERT INTO users (id, email, activated_at, email_verified_at) VALUES ($1, $2, now(), ${verified ? 'now()' : 'NULL'})`,
      [userId, email],
    );
    return { userId, email, key: (await t.app.get(ApiKeysService).issue(userId, 'test')).key };
  }

  const suggestions = (actor: Actor) => t.http().get('/v1/me/organization-suggestions').set(auth(actor));
  const join = (actor: Actor, org = w.orgId) =>
    t.http().post(`/v1/organizations/${org}/join`).set(auth(actor)).send();

  it('an eligible user sees the organization, joins as an active member with the auto-join role (201), and sees it no more', async () => {
    const user = await person(domain);
    const before = await suggestions(user);
    expect(before.status).toBe(200);
    expect(before.body).toEqual({
      data: [
        {
          organization_id: w.orgId,
          organization_name: 'Acme',
          organization_slug: w.orgSlug,
          domain,
          role_id: w.roles.member,
        },
      ],
      has_more: false,
      next_cursor: null,
    });
    const joined = await join(user);
    expect(joined.status).toBe(201);
    expect(joined.body).toMatchObject({
      id: user.userId,
      email: user.email,
      account_state: 'active',
      role_ids: [w.roles.member],
      department_ids: [],
      organization_id: w.orgId,
      invitation_link: null,
    });
    expect((await suggestions(user)).body.data).toEqual([]);
    // A member like any other: reads the organization, and is no Admin.
    expect((await t.http().get(`/v1/organizations/${w.orgId}/users`).set(auth(user))).status).toBe(200);
    expectError(
      await t.http().get(`/v1/organizations/${w.orgId}/domains`).set(auth(user)),
      403,
      'INSUFFICIENT_PERMISSIONS',
    );
  });

  it('joins by slug as well, with a custom auto-join role', async () => {
    const role = await insertCustomRole(t, w.orgId, `Joiner ${n}`);
    await t
      .http()
      .patch(`/v1/organizations/${w.orgId}`)
      .set(auth(w.owner))
      .send({ auto_join: { enabled: true, role_id: role } });
    try {
      const user = await person(domain);
      const joined = await join(user, w.orgSlug);
      expect(joined.status).toBe(201);
      expect(joined.body.role_ids).toEqual([role]);
    } finally {
      await t
        .http()
        .patch(`/v1/organizations/${w.orgId}`)
        .set(auth(w.owner))
        .send({ auto_join: { enabled: true, role_id: w.roles.member } });
    }
  });

  it('409 USER_ALREADY_EXISTS for a member in any state (active, deactivated, invited), nothing changed', async () => {
    const active = await person(domain);
    expect((await join(active)).status).toBe(201);
    expect(expectError(await join(active), 409, 'USER_ALREADY_EXISTS').details).toMatchObject({
      organization_id: w.orgId,
      account_state: 'active',
    });

    const deactivated = await person(domain);
    expect((await join(deactivated)).status).toBe(201);
    await t
      .http()
      .post(`/v1/organizations/${w.orgId}/users/${deactivated.userId}/deactivate`)
      .set(auth(w.owner))
      .send();
    expect(expectError(await join(deactivated), 409, 'USER_ALREADY_EXISTS').details).toMatchObject({
      account_state: 'deactivated',
    });
    expect((await membershipOf(t, w.orgId, deactivated.userId))?.account_state).toBe('deactivated');

    const invited = await person(domain);
    const invite = await t
      .http()
      .post(`/v1/organizations/${w.orgId}/invitations`)
      .set(auth(w.owner))
      .send({ email: invited.email, role_ids: [w.roles.admin], send_invitation: false });
    expect(invite.status).toBe(201);
    expect((await suggestions(invited)).body.data).toEqual([]);
    expect(expectError(await join(invited), 409, 'USER_ALREADY_EXISTS').details).toMatchObject({
      account_state: 'pending_invitation',
    });
    expect(await membershipOf(t, w.orgId, invited.userId)).toMatchObject({
      account_state: 'pending_invitation',
      role_ids: [w.roles.admin],
    });
  });

  it('403 JOIN_NOT_ALLOWED (and no suggestion) without a verified email, from another domain, or for a domain only pending', async () => {
    const pendingDomain = `pending-${randomBytes(4).toString('hex')}.test`;
    await verifiedDomain(w.orgId, pendingDomain, 'pending');
    for (const user of [
      await person(domain, false),
      await person('elsewhere.test'),
      await person(pendingDomain),
      await person(`sub.${domain}`),
    ]) {
      expect((await suggestions(user)).body.data).toEqual([]);
      const error = expectError(await join(user), 403, 'JOIN_NOT_ALLOWED');
      expect(error.details).toEqual({ organization_id: w.orgId });
      expect(await membershipOf(t, w.orgId, user.userId)).toBeUndefined();
    }
  });

  it('403 JOIN_NOT_ALLOWED while auto-join is off; the same answer for an organization that does not exist', async () => {
    const user = await person(domain);
    await t
      .http()
      .patch(`/v1/organizations/${w.orgId}`)
      .set(auth(w.owner))
      .send({ auto_join: { enabled: false } });
    try {
      expect((await suggestions(user)).body.data).toEqual([]);
      expectError(await join(user), 403, 'JOIN_NOT_ALLOWED');
    } finally {
      await t
        .http()
        .patch(`/v1/organizations/${w.orgId}`)
        .set(auth(w.owner))
        .send({ auto_join: { enabled: true } });
    }
    for (const org of ['org_' + 'Z'.repeat(22), 'no-such-org', 'x'.repeat(100)]) {
      expectError(await join(user, org), 403, 'JOIN_NOT_ALLOWED');
    }
  });

  it("another organization's Owner (wrong tenant) cannot join: 403 JOIN_NOT_ALLOWED, nothing changed", async () => {
    expectError(await join(w.otherOwner), 403, 'JOIN_NOT_ALLOWED');
    expect(await membershipOf(t, w.orgId, w.otherOwner.userId)).toBeUndefined();
    expect((await suggestions(w.otherOwner)).body.data).toEqual([]);
  });

  it('never grants Owner, even if the setting were forced to it in the database', async () => {
    const user = await person(domain);
    await t.dataSource.query('UPDATE organizations SET auto_join_role_id = $2 WHERE id = $1', [
      w.orgId,
      w.roles.owner,
    ]);
    try {
      expectError(await join(user), 403, 'JOIN_NOT_ALLOWED');
    } finally {
      await t.dataSource.query('UPDATE organizations SET auto_join_role_id = $2 WHERE id = $1', [
        w.orgId,
        w.roles.member,
      ]);
    }
  });

  it('of concurrent joins by one user, exactly one is 201', async () => {
    const user = await person(domain);
    const results = await Promise.all(Array.from({ length: 5 }, () => join(user)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
  });

  it('needs credentials: 401 AUTHENTICATION_REQUIRED on both routes', async () => {
    expectError(await t.http().get('/v1/me/organization-suggestions'), 401, 'AUTHENTICATION_REQUIRED');
    expectError(
      await t.http().post(`/v1/organizations/${w.orgId}/join`).send(),
      401,
      'AUTHENTICATION_REQUIRED',
    );
  });

  it('a member of the organization (any role) joining again: 409, and suggestions stay empty', async () => {
    const member = await createActiveMember(t, w.orgId, [w.roles.member], `again-${n}@${domain}`);
    await t.dataSource.query('UPDATE users SET email_verified_at = now() WHERE id = $1', [member.userId]);
    expect((await suggestions(member)).body.data).toEqual([]);
    expectError(await join(member), 409, 'USER_ALREADY_EXISTS');
  });
});
