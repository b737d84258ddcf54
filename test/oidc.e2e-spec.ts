import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { exportSPKI, importJWK, SignJWT } from 'jose';
import { expectError } from './support/envelope.js';
import { auth, createActiveMember, createWorld, uniqueEmail, World } from './support/fixtures.js';
import { GENEROUS_LIMITS, tokenFromLink } from './support/invitations.js';
import { b64url, TestOidcProvider } from './support/oidc-provider.js';
import { createTestApp, TestApp } from './support/test-app.js';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Moves the clock the verifier's cache and cooldown read (jose's and ours use Date.now). */
function clockAhead(ms: number): void {
  const realNow = Date.now.bind(Date);
  jest.spyOn(Date, 'now').mockImplementation(() => realNow() + ms);
}

describe('OIDC access tokens (a real JWKS and discovery server on loopback)', () => {
  let idp: TestOidcProvider;
  let t: TestApp;
  let w: World;
  let n = 0;
  const sub = () => `user-${Date.now().toString(36)}-${++n}`;

  beforeAll(async () => {
    idp = await TestOidcProvider.start();
    t = await createTestApp({ ...GENEROUS_LIMITS, ...idp.env() });
    w = await createWorld(t);
  });
  afterAll(async () => {
    await t.close();
    await idp.stop();
  });
  afterEach(() => {
    jest.restoreAllMocks();
    idp.down = false;
  });

  const me = (token: string) => t.http().get('/v1/me').set(bearer(token));
  const identities = (subject: string) =>
    t.dataSource.query('SELECT user_id, issuer FROM user_identities WHERE subject = $1', [subject]);

  describe('verification', () => {
    it('accepts a good RS256 token and a good ES256 token, found by discovery', async () => {
      const rsa = await me(await idp.token({ sub: sub(), email: w.owner.email, email_verified: true }));
      expect(rsa.status).toBe(200);
      expect(rsa.body.user).toMatchObject({ id: w.owner.userId, email: w.owner.email });
      const ec = await me(
        await idp.token({ sub: sub(), email: w.admin.email, email_verified: true }, { alg: 'ES256' }),
      );
      expect(ec.status).toBe(200);
      expect(ec.body.user.id).toBe(w.admin.userId);
      expect(idp.discoveryFetches).toBe(1);
      expect(idp.jwksFetches).toBe(1);
    });

    it('answers 401 TOKEN_EXPIRED past exp and the clock tolerance, and accepts within it', async () => {
      const now = Date.now();
      const expired = await idp.token({
        sub: sub(),
        email: w.owner.email,
        email_verified: true,
        exp: Math.floor(now / 1000) - 60,
      });
      expectError(await me(expired), 401, 'TOKEN_EXPIRED');
      const justExpired = await idp.token({
        sub: sub(),
        email: w.owner.email,
        email_verified: true,
        exp: Math.floor(now / 1000) - 5,
      });
      expect((await me(justExpired)).status).toBe(200);
    });

    it('answers 401 INVALID_TOKEN for a token not yet valid (nbf), a wrong audience, a wrong issuer, no exp', async () => {
      const base = { sub: sub(), email: w.owner.email, email_verified: true };
      const future = Math.floor(Date.now() / 1000) + 600;
      const cases = [
        [{ ...base, nbf: future }, 'nbf'],
        [{ ...base, aud: 'another-api' }, 'aud'],
        [{ ...base, iss: 'http://127.0.0.1:1/realms/evil' }, 'iss'],
        [{ ...base, exp: undefined }, 'exp'],
      ] as const;
      for (const [claims, claim] of cases) {
        const error = expectError(await me(await idp.token(claims)), 401, 'INVALID_TOKEN');
        expect(error.details).toEqual({ reason: 'claim', claim });
      }
    });

    it('refuses alg "none" and HS256 signed with the RSA public key (algorithm confusion), without looking up keys', async () => {
      const claims = {
        iss: idp.issuer,
        aud: idp.audience,
        sub: sub(),
        email: w.owner.email,
        email_verified: true,
        exp: Math.floor(Date.now() / 1000) + 3600,
      };
      const before = idp.jwksFetches;
      const none = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`;
      expect(expectError(await me(none), 401, 'INVALID_TOKEN').details).toEqual({ reason: 'algorithm' });

      const publicKey = await importJWK(idp.rsaPublicJwk, 'RS256', { extractable: true });
      const pem = await exportSPKI(publicKey as Parameters<typeof exportSPKI>[0]);
      for (const secret of [
        new TextEncoder().encode(pem),
        new TextEncoder().encode(JSON.stringify(idp.rsaPublicJwk)),
      ]) {
        const forged = await new SignJWT(claims)
          .setProtectedHeader({ alg: 'HS256', kid: idp.rsaPublicJwk.kid })
          .sign(secret);
        expect(expectError(await me(forged), 401, 'INVALID_TOKEN').details).toEqual({ reason: 'algorithm' });
      }
      expect(idp.jwksFetches).toBe(before);
    });

    it('refuses a token whose signature does not match (payload changed after signing)', async () => {
      const [header, , signature] = (
        await idp.token({ sub: sub(), email: w.member.email, email_verified: true })
      ).split('.');
      const tampered = `${header}.${b64url({ iss: idp.issuer, aud: idp.audience, sub: 'x', email: w.owner.email, email_verified: true, exp: 9999999999 })}.${signature}`;
      expect(expectError(await me(tampered), 401, 'INVALID_TOKEN').details).toEqual({ reason: 'signature' });
    });

    it('answers a token seen before from memory only as that exact string, and only until its exp', async () => {
      const exp = Math.floor(Date.now() / 1000) + 120;
      const token = await idp.token({ sub: sub(), email: w.owner.email, email_verified: true, exp });
      expect((await me(token)).status).toBe(200);
      expect((await me(token)).status).toBe(200);
      // Another payload under the remembered token's signature is verified, and refused.
      const [header, , signature] = token.split('.');
      const forged = `${header}.${b64url({ iss: idp.issuer, aud: idp.audience, sub: 'x', email: w.owner.email, email_verified: true, exp })}.${signature}`;
      expect(expectError(await me(forged), 401, 'INVALID_TOKEN').details).toEqual({ reason: 'signature' });
      // Past exp and the 30 s tolerance, the remembered token is expired like any other.
      clockAhead(120_000 + 30_000 + 1_000);
      expectError(await me(token), 401, 'TOKEN_EXPIRED');
    });

    it('refuses a deactivated member on the very next request on every instance, although each remembers the token', async () => {
      const other = await createTestApp({
        ...GENEROUS_LIMITS,
        ...idp.env(),
        DATABASE_URL: t.config.databaseUrl,
      });
      try {
        const member = await createActiveMember(t, w.orgId, [w.roles.member], uniqueEmail('two-instances'));
        const token = await idp.token({ sub: sub(), email: member.email, email_verified: true });
        const org = (app: TestApp) => app.http().get(`/v1/organizations/${w.orgId}`).set(bearer(token));
        expect((await org(t)).status).toBe(200);
        expect((await org(other)).status).toBe(200);
        const off = await t
          .http()
          .post(`/v1/organizations/${w.orgId}/users/${member.userId}/deactivate`)
          .set(auth(w.admin));
        expect(off.status).toBe(200);
        for (const app of [other, t]) expectError(await org(app), 404, 'ORGANIZATION_NOT_FOUND');
      } finally {
        await other.close();
      }
    });

    it('after the provider rotates keys: an unknown kid refetches the JWKS once (after the cooldown), then verifies', async () => {
      // Keys fetched once already (the first test); the cooldown after that fetch is a minute.
      const subject = sub();
      await idp.rotate();
      const rotated = await idp.token({ sub: subject, email: w.member.email, email_verified: true });
      const fetchesBefore = idp.jwksFetches;
      clockAhead(61_000);
      expect((await me(rotated)).status).toBe(200);
      expect(idp.jwksFetches).toBe(fetchesBefore + 1);
      // The new keys are cached: more tokens, no more fetches; an unknown kid within the cooldown is refused without one.
      expect((await me(await idp.token({ sub: subject }, { alg: 'ES256' }))).status).toBe(200);
      const unknownKid = await idp.token({ sub: subject }, { kid: 'never-published' });
      expect(expectError(await me(unknownKid), 401, 'INVALID_TOKEN').details).toEqual({
        reason: 'unknown_key',
      });
      expect(idp.jwksFetches).toBe(fetchesBefore + 1);
    });

    it('keeps verifying with the cached keys while the provider is down, also past the cache age', async () => {
      const token = await idp.token({ sub: sub(), email: w.member.email, email_verified: true });
      expect((await me(token)).status).toBe(200);
      idp.down = true;
      expect((await me(token)).status).toBe(200);
      clockAhead(12 * 60_000); // past the 10-minute cache age: jose refetches, fails, the cached keys still serve
      const fetchesBefore = idp.jwksFetches;
      expect((await me(token)).status).toBe(200);
      expect(idp.jwksFetches).toBe(fetchesBefore); // answered 503 by the down provider, not counted
    });

    it('treats a value that is not a JWT as an API key, as before', async () => {
      expect((await t.http().get('/v1/me').set(bearer(w.owner.key))).status).toBe(200);
      expect((await t.http().get('/v1/me').set(auth(w.owner))).status).toBe(200);
      expectError(await t.http().get('/v1/me').set(bearer('oik_not-a-key')), 401, 'INVALID_API_KEY');
      expectError(await t.http().get('/v1/me').set(bearer('a.b')), 401, 'INVALID_API_KEY');
    });

    it('answers 401 INVALID_TOKEN for a JWT-shaped value that is not a token', async () => {
      expectError(await me('eyJub3QiOiJqc29u.eyJ4IjoxfQ.c2ln'), 401, 'INVALID_TOKEN');
      expectError(await me('abc.def.ghi'), 401, 'INVALID_TOKEN');
    });
  });

  describe('the token user', () => {
    it('is the linked user from then on, whatever email later tokens carry', async () => {
      const subject = sub();
      const first = await me(await idp.token({ sub: subject, email: w.member.email, email_verified: true }));
      expect(first.body.user.id).toBe(w.member.userId);
      const later = await me(await idp.token({ sub: subject, email: w.owner.email, email_verified: true }));
      expect(later.body.user.id).toBe(w.member.userId);
      expect(await identities(subject)).toEqual([{ user_id: w.member.userId, issuer: idp.issuer }]);
    });

    it('at first sight with a new verified email, is a new verified, active user', async () => {
      const email = uniqueEmail('newcomer');
      const res = await me(
        await idp.token({ sub: sub(), email: email.toUpperCase(), email_verified: true, name: 'New Comer' }),
      );
      expect(res.status).toBe(200);
      expect(res.body.user).toMatchObject({ email, full_name: 'New Comer' });
      expect(res.body.memberships).toEqual([]);
      const [user] = await t.dataSource.query(
        'SELECT email_verified_at, activated_at FROM users WHERE id = $1',
        [res.body.user.id],
      );
      expect(user.email_verified_at).toBeInstanceOf(Date);
      expect(user.activated_at).toBeInstanceOf(Date);
    });

    it('without a verified email and no link: 403 EMAIL_NOT_VERIFIED where a user is needed, nothing created', async () => {
      const email = uniqueEmail('unverified');
      for (const claims of [{ email, email_verified: false }, { email }, {}]) {
        const token = await idp.token({ sub: sub(), ...claims });
        expectError(await me(token), 403, 'EMAIL_NOT_VERIFIED');
        expectError(
          await t.http().get(`/v1/organizations/${w.orgId}`).set(bearer(token)),
          403,
          'EMAIL_NOT_VERIFIED',
        );
      }
      expect(await t.dataSource.query('SELECT id FROM users WHERE email = $1', [email])).toEqual([]);
      // A public route needs no user: the request goes through as anonymous.
      expect(
        (
          await t
            .http()
            .get('/health/live')
            .set(bearer(await idp.token({ sub: sub(), email })))
        ).status,
      ).toBe(200);
    });

    it('links an invited, never-active account by its verified email; it then accepts with the token and gets no key', async () => {
      const email = uniqueEmail('invitee');
      const invited = await t
        .http()
        .post(`/v1/organizations/${w.orgId}/invitations`)
        .set(auth(w.owner))
        .send({ email, send_invitation: false });
      expect(invited.status).toBe(201);
      const token = await idp.token({ sub: sub(), email, email_verified: true });
      const res = await me(token);
      expect(res.body.user.id).toBe(invited.body.user_id);
      expect(res.body.memberships).toEqual([
        expect.objectContaining({ organization_id: w.orgId, account_state: 'pending_invitation' }),
      ]);

      const link = tokenFromLink(invited.body.invitation_link);
      // The account is in use now: the link alone no longer activates it.
      expectError(
        await t.http().post('/v1/invitations/accept').send({ token: link }),
        403,
        'INVITATION_EMAIL_MISMATCH',
      );
      const accepted = await t.http().post('/v1/invitations/accept').set(bearer(token)).send({ token: link });
      expect(accepted.status).toBe(200);
      expect(accepted.body).toMatchObject({
        organization_id: w.orgId,
        api_key: null,
        user: { id: invited.body.user_id },
      });
    });

    it('is exactly that user in every guard: role and tenant', async () => {
      const memberToken = await idp.token({ sub: sub(), email: w.member.email, email_verified: true });
      expect((await t.http().get(`/v1/organizations/${w.orgId}`).set(bearer(memberToken))).status).toBe(200);
      expectError(
        await t
          .http()
          .post(`/v1/organizations/${w.orgId}/departments`)
          .set(bearer(memberToken))
          .send({ name: 'Ops' }),
        403,
        'INSUFFICIENT_PERMISSIONS',
      );
      expectError(
        await t.http().get(`/v1/organizations/${w.otherOrgId}`).set(bearer(memberToken)),
        404,
        'ORGANIZATION_NOT_FOUND',
      );
      const ownerToken = await idp.token({ sub: sub(), email: w.owner.email, email_verified: true });
      const created = await t
        .http()
        .post(`/v1/organizations/${w.orgId}/departments`)
        .set(bearer(ownerToken))
        .send({ name: `Ops ${n}` });
      expect(created.status).toBe(201);
    });

    it('links once when many first requests of one subject race', async () => {
      const subject = sub();
      const email = uniqueEmail('racer');
      const token = await idp.token({ sub: subject, email, email_verified: true });
      const results = await Promise.all(Array.from({ length: 8 }, () => me(token)));
      expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
      expect(new Set(results.map((r) => r.body.user.id)).size).toBe(1);
      expect(await identities(subject)).toHaveLength(1);
      expect(await t.dataSource.query('SELECT id FROM users WHERE email = $1', [email])).toHaveLength(1);
    });

    it("marks a linked user's email verified when the provider vouches for it", async () => {
      const subject = sub();
      const token = await idp.token({ sub: subject, email: w.admin.email, email_verified: true });
      await me(token);
      await t.dataSource.query('UPDATE users SET email_verified_at = NULL WHERE id = $1', [w.admin.userId]);
      await me(await idp.token({ sub: subject, email: w.admin.email, email_verified: false }));
      expect(
        (await t.dataSource.query('SELECT email_verified_at FROM users WHERE id = $1', [w.admin.userId]))[0]
          .email_verified_at,
      ).toBeNull();
      await me(token);
      expect(
        (await t.dataSource.query('SELECT email_verified_at FROM users WHERE id = $1', [w.admin.userId]))[0]
          .email_verified_at,
      ).toBeInstanceOf(Date);
    });
  });
});

describe('OIDC with the provider down from the start', () => {
  let idp: TestOidcProvider;
  let t: TestApp;

  beforeAll(async () => {
    idp = await TestOidcProvider.start();
    idp.down = true;
    t = await createTestApp(idp.env());
  });
  afterAll(async () => {
    await t.close();
    await idp.stop();
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('answers 503 SERVICE_UNAVAILABLE (no keys cached), while API keys keep working; recovers when it is back', async () => {
    const token = await idp.token({ sub: 'someone', email: 'someone@example.test', email_verified: true });
    const res = await t.http().get('/v1/me').set(bearer(token));
    expectError(res, 503, 'SERVICE_UNAVAILABLE');
    const w = await createWorld(t);
    expect((await t.http().get('/v1/me').set(auth(w.owner))).status).toBe(200);

    idp.down = false;
    clockAhead(6_000); // past the backoff after a failed fetch
    expect((await t.http().get('/v1/me').set(bearer(token))).status).toBe(200);
  });

  it('answers with the JWKS URL configured directly (no discovery) just the same', async () => {
    const direct = await createTestApp(idp.env({ OIDC_JWKS_URL: idp.jwksUrl }));
    try {
      const discoveries = idp.discoveryFetches;
      const token = await idp.token({ sub: 'direct', email: 'direct@example.test', email_verified: true });
      expect((await direct.http().get('/v1/me').set(bearer(token))).status).toBe(200);
      expect(idp.discoveryFetches).toBe(discoveries);
    } finally {
      await direct.close();
    }
  });
});
