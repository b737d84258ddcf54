import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Response } from 'supertest';
import { BootstrapService } from '../../src/cli/bootstrap.service.js';
import { auth, createActiveMember, createWorld, World } from '../support/fixtures.js';
import { expectError } from '../support/envelope.js';
import { expectOrgSlugError, GENEROUS_LIMITS } from '../support/invitations.js';
import { createTestApp, TestApp } from '../support/test-app.js';

/**
 * Issue 11, finding 5: addresses that look like a member's created new accounts. Every route that
 * takes an email normalises it with the one function of API.md's Conventions (src/common/email).
 */
const LOOKALIKES: Record<string, string> = {
  'a zero-width space after the domain': 'admin@acme.test\u200b',
  'a zero-width space in the local part': 'admin\u200b@acme.test',
  'a fullwidth first letter': '\uff41dmin@acme.test',
  'a fullwidth @': 'admin\uff20acme.test',
  'a soft hyphen': 'ad\u00admin@acme.test',
  'a word joiner in the domain': 'admin@ac\u2060me.test',
  'a right-to-left override': '\u202eadmin@acme.test',
};

describe('lookalike emails (every route that takes an email)', () => {
  let t: TestApp;
  let w: World;

  const usersWith = async (email: string) =>
    (await t.dataSource.query('SELECT id FROM users WHERE email = $1', [email])) as { id: string }[];
  const userCount = async () => Number((await t.dataSource.query('SELECT count(*) AS n FROM users'))[0].n);

  /** The four create routes, each with a body inviting `email`. */
  const createRoutes = () => [
    {
      path: `/v1/organizations/${w.orgId}/invitations`,
      body: (email: string) => ({ email, send_invitation: false }),
    },
    {
      path: `/v1/organizations/${w.orgId}/invite-user`,
      body: (email: string) => ({ email, role_id: w.roles.member, send_invitation: false }),
    },
    {
      path: `/v1/organizations/${w.orgId}/users/invite/v2`,
      body: (email: string) => ({ email, send_invitation: false }),
    },
    {
      path: `/api/v1/org/${w.orgSlug}/invitations`,
      body: (email: string) => ({ email, role: 'member', send_invitation: false }),
    },
  ];

  function expectEmailRefused(res: Response, path: string, loc: string[]): void {
    if (path.startsWith('/api/')) {
      expect(expectOrgSlugError(res, 422, 'validation_error')).toEqual([
        { loc, msg: expect.any(String), type: 'is_email' },
      ]);
    } else {
      const error = expectError(res, 400, 'VALIDATION_ERROR');
      expect(error.details).toEqual({ errors: [{ loc, msg: expect.any(String), type: 'is_email' }] });
    }
  }

  beforeAll(async () => {
    t = await createTestApp(GENEROUS_LIMITS);
    w = await createWorld(t);
    await createActiveMember(t, w.orgId, [w.roles.member], 'admin@acme.test');
  });
  afterAll(() => t.close());

  it.each(Object.entries(LOOKALIKES))(
    'refuses %s on every create route (400, seed 002: 422) and creates no account',
    async (_what, email) => {
      const before = await userCount();
      for (const route of createRoutes()) {
        const res = await t.http().post(route.path).set(auth(w.owner)).send(route.body(email));
        expectEmailRefused(res, route.path, ['body', 'email']);
      }
      expect(await userCount()).toBe(before);
    },
  );

  it('says why in the message: invisible characters and compatibility forms are named', async () => {
    const [route] = createRoutes();
    const invisible = await t
      .http()
      .post(route.path)
      .set(auth(w.owner))
      .send(route.body('admin\u200b@acme.test'));
    expect(invisible.body.error.details.errors[0].msg).toContain('U+200B');
    const fullwidth = await t
      .http()
      .post(route.path)
      .set(auth(w.owner))
      .send(route.body('\uff41dmin@acme.test'));
    expect(fullwidth.body.error.details.errors[0].msg).toMatch(/fullwidth/);
  });

  it('treats case and surrounding spaces as the same address: the member is found (409 USER_ALREADY_EXISTS)', async () => {
    for (const route of createRoutes().slice(0, 3)) {
      const res = await t.http().post(route.path).set(auth(w.owner)).send(route.body('  ADMIN@Acme.Test '));
      expectError(res, 409, 'USER_ALREADY_EXISTS');
    }
  });

  it('makes josé (NFC) and jose\\u0301 (NFD) one address and one account', async () => {
    const [route] = createRoutes();
    const first = await t.http().post(route.path).set(auth(w.owner)).send(route.body('jos\u00e9@acme.test'));
    expect(first.status).toBe(201);
    expect(first.body.email).toBe('jos\u00e9@acme.test');
    for (const spelling of ['jose\u0301@acme.test', 'JOSE\u0301@ACME.TEST', 'JOS\u00c9@acme.test']) {
      const again = await t.http().post(route.path).set(auth(w.owner)).send(route.body(spelling));
      const error = expectError(again, 409, 'INVITATION_ALREADY_PENDING');
      expect(error.details).toMatchObject({ invitation_id: first.body.invitation_id });
    }
    expect(await usersWith('jos\u00e9@acme.test')).toHaveLength(1);
    expect(await usersWith('jose\u0301@acme.test')).toHaveLength(0);
  });

  it('stores an internationalised domain in its IDNA ASCII form, so both spellings are one address', async () => {
    const [route] = createRoutes();
    const first = await t
      .http()
      .post(route.path)
      .set(auth(w.owner))
      .send(route.body('user@B\u00dcCHER.test'));
    expect(first.status).toBe(201);
    expect(first.body.email).toBe('user@xn--bcher-kva.test');
    const again = await t
      .http()
      .post(route.path)
      .set(auth(w.owner))
      .send(route.body('user@xn--bcher-kva.test'));
    expectError(again, 409, 'INVITATION_ALREADY_PENDING');
  });

  it('refuses an address over 254 characters after normalisation', async () => {
    const [route] = createRoutes();
    const long = `${'a'.repeat(60)}@${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(63)}.test`;
    expect(long.length).toBe(257);
    expectEmailRefused(
      await t.http().post(route.path).set(auth(w.owner)).send(route.body(long)),
      route.path,
      ['body', 'email'],
    );
  });

  it('normalises the email filters and seed 003 lookup the same way, and refuses lookalikes there', async () => {
    const members = await t
      .http()
      .get(`/v1/organizations/${w.orgId}/users`)
      .query({ email: ' ADMIN@acme.TEST' })
      .set(auth(w.member));
    expect(members.status).toBe(200);
    expect(members.body.data.map((m: { email: string }) => m.email)).toEqual(['admin@acme.test']);

    const invitations = await t
      .http()
      .get(`/v1/organizations/${w.orgId}/invitations`)
      .query({ email: 'JOSE\u0301@acme.test' })
      .set(auth(w.member));
    expect(invitations.status).toBe(200);
    expect(invitations.body.data.map((i: { email: string }) => i.email)).toEqual(['jos\u00e9@acme.test']);

    const pending = await t
      .http()
      .get(`/v1/organizations/${w.orgId}/invitation`)
      .query({ email: 'jose\u0301@ACME.test' })
      .set(auth(w.member));
    expect(pending.status).toBe(200);
    expect(pending.body.email).toBe('jos\u00e9@acme.test');

    for (const path of ['users', 'invitations', 'invitation']) {
      for (const email of [
        LOOKALIKES['a zero-width space in the local part'],
        LOOKALIKES['a fullwidth first letter'],
      ]) {
        const res = await t
          .http()
          .get(`/v1/organizations/${w.orgId}/${path}`)
          .query({ email })
          .set(auth(w.member));
        expectEmailRefused(res, path, ['query', 'email']);
      }
    }
  });

  it('the bootstrap command normalises the Owner email and refuses lookalikes', async () => {
    const bootstrap = t.app.get(BootstrapService);
    const created = await bootstrap.bootstrap('Idn Co', ' Founder@B\u00dcCHER.test ');
    const [owner] = (await t.dataSource.query('SELECT email FROM users WHERE id = $1', [
      created.user_id,
    ])) as {
      email: string;
    }[];
    expect(owner.email).toBe('founder@xn--bcher-kva.test');
    const before = await userCount();
    for (const email of Object.values(LOOKALIKES)) {
      await expect(bootstrap.bootstrap('Evil Co', email)).rejects.toThrow(/email/);
    }
    expect(await userCount()).toBe(before);
  });
});
