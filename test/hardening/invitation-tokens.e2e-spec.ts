import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import { parseConfig } from '../../src/config/app-config.js';
import { InvitationTokens } from '../../src/invitations/invitation-token.js';
import { auth } from '../support/fixtures.js';
import { expectError } from '../support/envelope.js';
import {
  expireInvitation,
  GENEROUS_LIMITS,
  pastResendCooldown,
  tokenFromLink,
} from '../support/invitations.js';
import { createTestApp, TestApp } from '../support/test-app.js';
import { snapshot } from './support/db-snapshot.js';
import { createTenant, freshInvitation, Tenant } from './support/tenants.js';

/** Swaps one base64url character for another, at `at` (negative: from the end). */
function flip(text: string, at: number): string {
  const i = at < 0 ? text.length + at : at;
  return text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1);
}

describe('invitation tokens: tampering and replay', () => {
  let t: TestApp;
  let a: Tenant;

  beforeAll(async () => {
    t = await createTestApp(GENEROUS_LIMITS);
    a = await createTenant(t, 'Acme');
  });
  afterAll(() => t.close());

  /** The three public token routes, each answering with the same 404 for any wrong token. */
  async function everyRouteRefuses(token: string): Promise<unknown[]> {
    const responses = [
      await t.http().get('/v1/invitations/lookup').query({ token }),
      await t.http().post('/v1/invitations/accept').send({ token }),
      await t.http().post('/v1/invitations/decline').send({ token }),
    ];
    return responses.map((res) => {
      const error = expectError(res, 404, 'INVITATION_NOT_FOUND');
      return { message: error.message, details: error.details };
    });
  }

  it('answers every modified token with the same 404 INVITATION_NOT_FOUND, on every route, and changes nothing', async () => {
    const target = await freshInvitation(t, a);
    const other = await freshInvitation(t, a);
    const [id, version, mac] = target.token.split('.');
    const foreignSecret = new InvitationTokens(
      parseConfig({ INVITATION_SECRET: 'another-secret-'.padEnd(40, 'x') }),
    );
    const tampered = [
      `${id}.${version}.${flip(mac, -1)}`,
      `${id}.${version}.${flip(mac, 0)}`,
      `${id}.${Number(version) + 1}.${mac}`,
      `${id}.0.${mac}`,
      `${other.id}.${version}.${mac}`,
      `${id}.${version}.${mac.slice(0, -1)}`,
      `${id}.${version}.${mac}A`,
      target.token.toUpperCase(),
      `${id}.${version}`,
      id,
      foreignSecret.sign(target.id, Number(version)),
      `${target.token}'--`,
      encodeURIComponent(target.token).replace('.', '%2E'),
    ];
    const before = await snapshot(t.dataSource);
    const answers = [];
    for (const token of tampered) answers.push(...(await everyRouteRefuses(token)));
    // One answer for every wrong token: nothing to tell a near miss from a far one.
    expect(new Set(answers.map((x) => JSON.stringify(x))).size).toBe(1);
    expect(await snapshot(t.dataSource)).toEqual(before);

    // The genuine token still works: the attempts did not burn it.
    expect((await t.http().get('/v1/invitations/lookup').query({ token: target.token })).status).toBe(200);
  });

  it('refuses an accepted token when it is replayed: 409 INVITATION_ALREADY_ACCEPTED, and no second API key', async () => {
    const inv = await freshInvitation(t, a);
    const accepted = await t.http().post('/v1/invitations/accept').send({ token: inv.token });
    expect(accepted.status).toBe(200);
    expect(accepted.body.api_key).toMatch(/^oik_/);

    const before = await snapshot(t.dataSource);
    expectError(
      await t.http().post('/v1/invitations/accept').send({ token: inv.token }),
      409,
      'INVITATION_ALREADY_ACCEPTED',
    );
    expectError(
      await t.http().post('/v1/invitations/decline').send({ token: inv.token }),
      409,
      'INVITATION_ALREADY_ACCEPTED',
    );
    // Replaying with the new account's own key changes nothing either.
    const replay = await t
      .http()
      .post('/v1/invitations/accept')
      .set('X-API-Key', accepted.body.api_key)
      .send({ token: inv.token });
    expectError(replay, 409, 'INVITATION_ALREADY_ACCEPTED');
    expect(await snapshot(t.dataSource)).toEqual(before);
  });

  it('lets exactly one of many concurrent accepts of one token win', async () => {
    const inv = await freshInvitation(t, a);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => t.http().post('/v1/invitations/accept').send({ token: inv.token })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    const keys: { n: number }[] = await t.dataSource.query(
      'SELECT count(*)::int AS n FROM api_keys WHERE user_id = $1',
      [inv.userId],
    );
    expect(keys).toEqual([{ n: 1 }]);
  });

  it('refuses declined, revoked and expired tokens with 410, and tokens from before a resend with 404', async () => {
    const declined = await freshInvitation(t, a);
    expect((await t.http().post('/v1/invitations/decline').send({ token: declined.token })).status).toBe(200);
    expectError(
      await t.http().post('/v1/invitations/accept').send({ token: declined.token }),
      410,
      'INVITATION_DECLINED',
    );

    const revoked = await freshInvitation(t, a);
    expect(
      (
        await t
          .http()
          .post(`/v1/organizations/${a.orgId}/invitations/${revoked.id}/revoke`)
          .set(auth(a.owner))
      ).status,
    ).toBe(200);
    expectError(
      await t.http().post('/v1/invitations/accept').send({ token: revoked.token }),
      410,
      'INVITATION_REVOKED',
    );

    const expired = await freshInvitation(t, a);
    await expireInvitation(t, expired.id);
    expectError(
      await t.http().post('/v1/invitations/accept').send({ token: expired.token }),
      410,
      'INVITATION_EXPIRED',
    );

    const resent = await freshInvitation(t, a);
    await pastResendCooldown(t, resent.id);
    const res = await t
      .http()
      .post(`/v1/organizations/${a.orgId}/invitations/${resent.id}/resend`)
      .set(auth(a.owner));
    expect(res.status).toBe(200);
    await everyRouteRefuses(resent.token);
    const newToken = tokenFromLink(res.body.invitation_link);
    expect(newToken).not.toBe(resent.token);
    expect((await t.http().post('/v1/invitations/accept').send({ token: newToken })).status).toBe(200);
  });
});

describe('secret checks that do not leak through timing', () => {
  const tokens = new InvitationTokens(parseConfig({ INVITATION_SECRET: 's'.repeat(40) }));

  it('compares invitation token MACs with crypto.timingSafeEqual, never with string equality', () => {
    const source = fs.readFileSync('src/invitations/invitation-token.ts', 'utf8');
    expect(source).toMatch(/import \{[^}]*\btimingSafeEqual\b[^}]*\} from 'node:crypto'/);
    expect(source).toMatch(/timingSafeEqual\(expected, given\)/);
    expect(source).not.toMatch(/\bmac\b\s*[!=]==|[!=]==\s*\bmac\b|expected\s*[!=]==\s*given/);
  });

  it('rejects a MAC that differs in any single position, and MACs of any other length, without throwing', () => {
    const token = tokens.sign('inv_abc123', 1);
    const [id, version, mac] = token.split('.');
    for (let i = 0; i < mac.length; i++)
      expect(tokens.verify(`${id}.${version}.${flip(mac, i)}`)).toBeUndefined();
    for (const other of ['', mac.slice(1), mac + 'A', mac.repeat(2)])
      expect(() => tokens.verify(`${id}.${version}.${other}`)).not.toThrow();
    expect(tokens.verify(token)).toEqual({ invitationId: 'inv_abc123', version: 1 });
  });

  it('finds API keys by an indexed lookup of their SHA-256 hash, never by comparing secrets in code', () => {
    const repository = fs.readFileSync('src/common/auth/access.repository.ts', 'utf8');
    // The key's clause of the access queries (its parameter number depends on the query).
    expect(repository).toMatch(/where: `k\.key_hash = \$\$\{first\} AND k\.revoked_at IS NULL`/);
    expect(repository).toMatch(/params: \[hashApiKey\(ref\.apiKey\)\]/);
    const migration = fs.readFileSync('src/database/migrations/1795318672910-InitialSchema.ts', 'utf8');
    expect(migration).toContain('CREATE UNIQUE INDEX "uq_api_keys_hash" ON "api_keys"  ("key_hash")');
  });
});
