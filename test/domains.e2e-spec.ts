import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { expectError, fieldErrorLocs } from './support/envelope.js';
import { auth, createWorld, World } from './support/fixtures.js';
import { expectOrgSlugError, GENEROUS_LIMITS, insertCustomRole } from './support/invitations.js';
import { TestDnsServer } from './support/dns-server.js';
import { createTestApp, TestApp } from './support/test-app.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const fresh = (label = 'acme') => `${label}-${randomBytes(4).toString('hex')}.test`;

describe('domains and their DNS TXT verification (a real DNS server on loopback)', () => {
  let dns: TestDnsServer;
  let t: TestApp;
  let w: World;
  const domains = (org: string) => `/v1/organizations/${org}/domains`;

  beforeAll(async () => {
    dns = await TestDnsServer.start();
    t = await createTestApp({ ...GENEROUS_LIMITS, DNS_SERVERS: dns.address });
    w = await createWorld(t);
  });
  afterAll(async () => {
    await t.close();
    await dns.stop();
  });

  async function claim(org: string, domain: string, actor = w.owner) {
    const res = await t.http().post(domains(org)).set(auth(actor)).send({ domain });
    expect(res.status).toBe(201);
    return res.body as { id: string; domain: string; verification: { name: string; value: string } };
  }
  const verify = (org: string, id: string, actor = w.owner) =>
    t
      .http()
      .post(`${domains(org)}/${id}/verify`)
      .set(auth(actor))
      .send();

  describe('create, read, delete', () => {
    it('creates a pending domain with its TXT challenge, normalised to lowercase IDNA', async () => {
      const name = `Bücher.${fresh('books')}`;
      const res = await t
        .http()
        .post(domains(w.orgId))
        .set(auth(w.admin))
        .send({ domain: `  ${name.toUpperCase()}. ` });
      expect(res.status).toBe(201);
      const ascii = name.toLowerCase().replace('bücher', 'xn--bcher-kva');
      expect(res.body).toEqual({
        id: expect.stringMatching(/^dom_[A-Za-z0-9]{22}$/),
        organization_id: w.orgId,
        domain: ascii,
        status: 'pending',
        verification: {
          type: 'dns_txt',
          name: `_invitations-challenge.${ascii}`,
          value: expect.stringMatching(/^inv-domain-verification=[A-Za-z0-9]{30,}$/),
        },
        verified_at: null,
        created_at: expect.stringMatching(ISO),
      });
      const got = await t
        .http()
        .get(`${domains(w.orgId)}/${res.body.id}`)
        .set(auth(w.admin));
      expect(got.body).toEqual(res.body);
    });

    it.each([
      ['gmail.com', 'domain_public_provider'],
      ['Outlook.com', 'domain_public_provider'],
      ['localhost', 'domain_invalid'],
      ['10.0.0.1', 'domain_invalid'],
      ['-acme.test', 'domain_invalid'],
      ['acme..test', 'domain_invalid'],
      ['ａｃｍｅ.test', 'domain_invalid'],
      ['acme\u200b.test', 'domain_invalid'],
    ])('refuses %j: 400 VALIDATION_ERROR (%s)', async (domain, type) => {
      const res = await t.http().post(domains(w.orgId)).set(auth(w.owner)).send({ domain });
      expectError(res, 400, 'VALIDATION_ERROR');
      expect(res.body.error.details.errors).toEqual([
        { loc: ['body', 'domain'], msg: expect.any(String), type },
      ]);
    });

    it('answers 409 DOMAIN_ALREADY_EXISTS for the same domain twice in one organization; another organization may claim it', async () => {
      const name = fresh();
      await claim(w.orgId, name);
      const again = await t
        .http()
        .post(domains(w.orgId))
        .set(auth(w.owner))
        .send({ domain: name.toUpperCase() });
      expect(expectError(again, 409, 'DOMAIN_ALREADY_EXISTS').details).toEqual({ domain: name });
      await claim(w.otherOrgId, name, w.otherOwner);
    });

    it('lists the organization’s domains, paginated, and nothing of another organization’s', async () => {
      const mine = [await claim(w.orgId, fresh()), await claim(w.orgId, fresh())];
      await claim(w.otherOrgId, fresh(), w.otherOwner);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const res = await t
          .http()
          .get(domains(w.orgId))
          .query({ limit: 2, ...(cursor ? { cursor } : {}) })
          .set(auth(w.admin));
        expect(res.status).toBe(200);
        seen.push(
          ...res.body.data.map((d: { id: string; organization_id: string }) => {
            expect(d.organization_id).toBe(w.orgId);
            return d.id;
          }),
        );
        cursor = res.body.next_cursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(expect.arrayContaining(mine.map((d) => d.id)));
    });

    it('deletes a domain (204), then answers 404 DOMAIN_NOT_FOUND', async () => {
      const d = await claim(w.orgId, fresh());
      expect(
        (
          await t
            .http()
            .delete(`${domains(w.orgId)}/${d.id}`)
            .set(auth(w.admin))
        ).status,
      ).toBe(204);
      expectError(
        await t
          .http()
          .delete(`${domains(w.orgId)}/${d.id}`)
          .set(auth(w.admin)),
        404,
        'DOMAIN_NOT_FOUND',
      );
      expectError(
        await t
          .http()
          .get(`${domains(w.orgId)}/${d.id}`)
          .set(auth(w.admin)),
        404,
        'DOMAIN_NOT_FOUND',
      );
      expectError(await verify(w.orgId, d.id), 404, 'DOMAIN_NOT_FOUND');
    });
  });

  describe('verify', () => {
    it('verifies when a TXT record at the challenge name holds the value (also split into strings)', async () => {
      const d = await claim(w.orgId, fresh());
      dns.txt.set(d.verification.name, [
        ['v=spf1 -all'],
        [d.verification.value.slice(0, 10), d.verification.value.slice(10)],
      ]);
      const res = await verify(w.orgId, d.id, w.admin);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: d.id,
        status: 'verified',
        verified_at: expect.stringMatching(ISO),
      });
      // Verified stays verified, and asks DNS nothing more.
      dns.txt.delete(d.verification.name);
      const queries = dns.queries.length;
      expect((await verify(w.orgId, d.id)).body).toEqual(res.body);
      expect(dns.queries.length).toBe(queries);
    });

    it('answers 409 DOMAIN_VERIFICATION_FAILED when the records hold another value', async () => {
      const d = await claim(w.orgId, fresh());
      dns.txt.set(d.verification.name, [['inv-domain-verification=somebody-elses']]);
      const error = expectError(await verify(w.orgId, d.id), 409, 'DOMAIN_VERIFICATION_FAILED');
      expect(error.details).toMatchObject({
        reason: 'value_mismatch',
        name: d.verification.name,
        domain_id: d.id,
      });
      expect(
        (
          await t
            .http()
            .get(`${domains(w.orgId)}/${d.id}`)
            .set(auth(w.owner))
        ).body.status,
      ).toBe('pending');
    });

    it('answers 409 DOMAIN_VERIFICATION_FAILED for NXDOMAIN', async () => {
      const d = await claim(w.orgId, fresh());
      const error = expectError(await verify(w.orgId, d.id), 409, 'DOMAIN_VERIFICATION_FAILED');
      expect(error.details).toMatchObject({ reason: 'record_not_found', dns_error: 'ENOTFOUND' });
      expect(dns.queries).toContain(d.verification.name);
    });

    it('answers 409 DOMAIN_VERIFICATION_FAILED (lookup_failed) when the DNS server does not answer, within seconds', async () => {
      const d = await claim(w.orgId, fresh());
      dns.silent.add(d.verification.name);
      const started = Date.now();
      const error = expectError(await verify(w.orgId, d.id), 409, 'DOMAIN_VERIFICATION_FAILED');
      expect(error.details).toMatchObject({ reason: 'lookup_failed', dns_error: 'ETIMEOUT' });
      expect(Date.now() - started).toBeLessThan(10_000);
    });

    it('lets one organization hold a domain verified: a second one gets 409 DOMAIN_TAKEN, until the first deletes it', async () => {
      const name = fresh();
      const mine = await claim(w.orgId, name);
      const theirs = await claim(w.otherOrgId, name, w.otherOwner);
      dns.txt.set(mine.verification.name, [[mine.verification.value], [theirs.verification.value]]);
      expect((await verify(w.orgId, mine.id)).status).toBe(200);
      const taken = expectError(await verify(w.otherOrgId, theirs.id, w.otherOwner), 409, 'DOMAIN_TAKEN');
      expect(taken.details).toEqual({ domain_id: theirs.id, domain: name });
      expect(
        (
          await t
            .http()
            .delete(`${domains(w.orgId)}/${mine.id}`)
            .set(auth(w.owner))
        ).status,
      ).toBe(204);
      expect((await verify(w.otherOrgId, theirs.id, w.otherOwner)).body.status).toBe('verified');
    });

    it('of two organizations verifying one domain at once, exactly one wins', async () => {
      const name = fresh();
      const a = await claim(w.orgId, name);
      const b = await claim(w.otherOrgId, name, w.otherOwner);
      dns.txt.set(a.verification.name, [[a.verification.value], [b.verification.value]]);
      const results = await Promise.all([verify(w.orgId, a.id), verify(w.otherOrgId, b.id, w.otherOwner)]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(results.find((r) => r.status === 409)!.body.error.code).toBe('DOMAIN_TAKEN');
    });
  });

  describe('who may', () => {
    async function calls(org: string, domainId: string) {
      return [
        t.http().post(domains(org)).send({ domain: fresh() }),
        t.http().get(domains(org)),
        t.http().get(`${domains(org)}/${domainId}`),
        t.http().delete(`${domains(org)}/${domainId}`),
        t
          .http()
          .post(`${domains(org)}/${domainId}/verify`)
          .send(),
      ];
    }

    it('a Member: 403 INSUFFICIENT_PERMISSIONS on every domain route, nothing changed', async () => {
      const d = await claim(w.orgId, fresh());
      for (const call of await calls(w.orgId, d.id))
        expectError(await call.set(auth(w.member)), 403, 'INSUFFICIENT_PERMISSIONS');
      expect(
        (
          await t
            .http()
            .get(`${domains(w.orgId)}/${d.id}`)
            .set(auth(w.owner))
        ).status,
      ).toBe(200);
    });

    it("another organization's Owner: 404 ORGANIZATION_NOT_FOUND on every domain route, nothing revealed", async () => {
      const d = await claim(w.orgId, fresh());
      for (const call of await calls(w.orgId, d.id)) {
        const res = await call.set(auth(w.otherOwner));
        expectError(res, 404, 'ORGANIZATION_NOT_FOUND');
        expect(JSON.stringify(res.body)).not.toContain(d.domain);
      }
      // A's domain ID in B's own paths: not found in B.
      expectError(
        await t
          .http()
          .get(`${domains(w.otherOrgId)}/${d.id}`)
          .set(auth(w.otherOwner)),
        404,
        'DOMAIN_NOT_FOUND',
      );
      expectError(await verify(w.otherOrgId, d.id, w.otherOwner), 404, 'DOMAIN_NOT_FOUND');
    });

    it('without credentials: 401 AUTHENTICATION_REQUIRED', async () => {
      for (const call of await calls(w.orgId, 'dom_x'))
        expectError(await call, 401, 'AUTHENTICATION_REQUIRED');
    });
  });

  describe('invite_policy and auto_join on the organization', () => {
    const patch = (body: object, actor = w.owner) =>
      t.http().patch(`/v1/organizations/${w.orgId}`).set(auth(actor)).send(body);

    it('shows the defaults on the Organization object', async () => {
      const res = await t.http().get(`/v1/organizations/${w.otherOrgId}`).set(auth(w.otherOwner));
      expect(res.body).toMatchObject({ invite_policy: 'any', auto_join: { enabled: false, role_id: null } });
    });

    it('verified_domains_only: every create route refuses an email outside the verified domains (400 EMAIL_DOMAIN_NOT_ALLOWED)', async () => {
      const verified = await claim(w.orgId, fresh('staff'));
      dns.txt.set(verified.verification.name, [[verified.verification.value]]);
      expect((await verify(w.orgId, verified.id)).status).toBe(200);
      const pending = await claim(w.orgId, fresh('pending'));
      expect((await patch({ invite_policy: 'verified_domains_only' })).body.invite_policy).toBe(
        'verified_domains_only',
      );

      const routes = (email: string) => [
        t.http().post(`/v1/organizations/${w.orgId}/invitations`).send({ email, send_invitation: false }),
        t
          .http()
          .post(`/v1/organizations/${w.orgId}/invite-user`)
          .send({ email, role_id: w.roles.member, send_invitation: false }),
        t.http().post(`/v1/organizations/${w.orgId}/users/invite/v2`).send({ email, send_invitation: false }),
      ];
      for (const email of [`jane@${pending.domain}`, 'jane@outside.test', `jane@sub.${verified.domain}`]) {
        for (const call of routes(email)) {
          const error = expectError(await call.set(auth(w.admin)), 400, 'EMAIL_DOMAIN_NOT_ALLOWED');
          expect(error.details).toEqual({ email, domain: email.split('@')[1], organization_id: w.orgId });
        }
        const orgSlugInvite = await t
          .http()
          .post(`/api/v1/org/${w.orgSlug}/invitations`)
          .set(auth(w.admin))
          .send({ email, role: 'member', send_invitation: false });
        expectOrgSlugError(orgSlugInvite, 400, 'invalid_request');
      }
      expect(await t.dataSource.query(`SELECT id FROM invitations WHERE email LIKE 'jane@%'`)).toEqual([]);

      for (let i = 0; i < 3; i++) {
        expect((await routes(`jane${i}@${verified.domain}`)[i].set(auth(w.admin))).status).toBe(201);
      }

      expect((await patch({ invite_policy: 'any' })).body.invite_policy).toBe('any');
      expect((await routes('jane@outside.test')[0].set(auth(w.admin))).status).toBe(201);
    });

    it('auto_join: enabling without a role gives Member; a custom or Admin role may be named; Owner never', async () => {
      const enabled = await patch({ auto_join: { enabled: true } }, w.admin);
      expect(enabled.status).toBe(200);
      expect(enabled.body.auto_join).toEqual({ enabled: true, role_id: w.roles.member });
      const custom = await insertCustomRole(t, w.orgId, `Joiner ${fresh()}`);
      expect((await patch({ auto_join: { enabled: true, role_id: custom } })).body.auto_join).toEqual({
        enabled: true,
        role_id: custom,
      });
      // Omitted role: the current one stays.
      expect((await patch({ auto_join: { enabled: false } })).body.auto_join).toEqual({
        enabled: false,
        role_id: custom,
      });
      expect(
        (await patch({ auto_join: { enabled: true, role_id: w.roles.admin } })).body.auto_join.role_id,
      ).toBe(w.roles.admin);

      const owner = await patch({ auto_join: { enabled: true, role_id: w.roles.owner } });
      expect(expectError(owner, 400, 'VALIDATION_ERROR').details).toEqual({
        errors: [
          {
            loc: ['body', 'auto_join', 'role_id'],
            msg: 'auto_join can never grant the Owner role',
            type: 'role_owner_forbidden',
          },
        ],
      });
      const [foreign] = await t.dataSource.query(
        `SELECT id FROM roles WHERE organization_id = $1 AND key = 'member'`,
        [w.otherOrgId],
      );
      expect(fieldErrorLocs(await patch({ auto_join: { enabled: true, role_id: foreign.id } }))).toEqual([
        'body.auto_join.role_id',
      ]);
      expect((await t.http().get(`/v1/organizations/${w.orgId}`).set(auth(w.member))).body.auto_join).toEqual(
        {
          enabled: true,
          role_id: w.roles.admin,
        },
      );
    });

    it('refuses malformed settings (400 VALIDATION_ERROR), and a Member may change neither (403)', async () => {
      for (const body of [
        { invite_policy: 'everyone' },
        { invite_policy: null },
        { auto_join: { role_id: w.roles.member } },
        { auto_join: { enabled: 'yes' } },
        { auto_join: { enabled: true, extra: 1 } },
        { auto_join: [] },
        { auto_join: null },
      ]) {
        expectError(await patch(body), 400, 'VALIDATION_ERROR');
      }
      expectError(
        await patch({ invite_policy: 'verified_domains_only' }, w.member),
        403,
        'INSUFFICIENT_PERMISSIONS',
      );
    });

    it('a role auto-join grants cannot be deleted (409 ROLE_IN_USE)', async () => {
      const role = await insertCustomRole(t, w.orgId, `Auto ${fresh()}`);
      expect((await patch({ auto_join: { enabled: false, role_id: role } })).status).toBe(200);
      expectError(
        await t.http().delete(`/v1/organizations/${w.orgId}/roles/${role}`).set(auth(w.owner)),
        409,
        'ROLE_IN_USE',
      );
    });
  });
});
