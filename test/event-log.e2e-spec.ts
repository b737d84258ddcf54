import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { auth, createActiveMember, createWorld, uniqueEmail, World } from './support/fixtures.js';
import { TestDnsServer } from './support/dns-server.js';
import {
  currentToken,
  GENEROUS_LIMITS,
  insertDepartment,
  pastResendCooldown,
} from './support/invitations.js';
import { createTestApp, TestApp } from './support/test-app.js';

interface EventRow {
  type: string;
  organization_id: string | null;
  actor_type: string;
  actor_id: string | null;
  actor_api_key_id: string | null;
  subject_type: string;
  subject_id: string;
  data: Record<string, unknown>;
}

/**
 * The event log (API.md "Events"): every change made over HTTP appends exactly its events, in its
 * own transaction, with the right type, actor, subject and organization, and `data` without any
 * token, link, key or secret. A change that is rolled back leaves no event.
 */
describe('the event log', () => {
  let t: TestApp;
  let w: World;
  let dns: TestDnsServer;
  let adminKeyId: string;
  let ownerKeyId: string;

  beforeAll(async () => {
    dns = await TestDnsServer.start();
    t = await createTestApp({ ...GENEROUS_LIMITS, DNS_SERVERS: dns.address });
    w = await createWorld(t);
    adminKeyId = await keyIdOf(w.admin.userId);
    ownerKeyId = await keyIdOf(w.owner.userId);
  });
  afterAll(async () => {
    await t.close();
    await dns.stop();
  });

  async function keyIdOf(userId: string): Promise<string> {
    const [row]: { id: string }[] = await t.dataSource.query(
      'SELECT id FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 1',
      [userId],
    );
    return row.id;
  }

  /** Runs `change` and returns the events it appended (in append order). */
  async function eventsOf(change: () => Promise<unknown>): Promise<EventRow[]> {
    const [{ at }]: { at: string }[] = await t.dataSource.query(
      `SELECT COALESCE(max(created_at), '-infinity') AS at FROM events`,
    );
    const before: { id: string }[] = await t.dataSource.query(
      'SELECT id FROM events WHERE created_at >= $1',
      [at],
    );
    await change();
    const rows: (EventRow & { id: string })[] = await t.dataSource.query(
      `SELECT id, type, organization_id, actor_type, actor_id, actor_api_key_id, subject_type, subject_id, data
         FROM events WHERE created_at >= $1 ORDER BY created_at, type`,
      [at],
    );
    const old = new Set(before.map((row) => row.id));
    return rows.filter((row) => !old.has(row.id)).map(({ id: _, ...row }) => row);
  }

  /** No credential field, no link, and none of the secrets the change handed out (`secrets`). */
  function expectNoCredentials(events: EventRow[], secrets: string[] = []): void {
    const text = JSON.stringify(events.map((event) => event.data));
    for (const leak of ['invitation_link', '"token"', '"key"', 'api_key', 'secret', 'invite=', ...secrets]) {
      expect(text).not.toContain(leak);
    }
  }

  const admin = (subjectType: string, subjectId: string, organizationId: string | null = w.orgId) => ({
    organization_id: organizationId,
    actor_type: 'user',
    actor_id: w.admin.userId,
    actor_api_key_id: adminKeyId,
    subject_type: subjectType,
    subject_id: subjectId,
  });

  const invite = (body: Record<string, unknown> = {}) =>
    t
      .http()
      .post(`/v1/organizations/${w.orgId}/invitations`)
      .set(auth(w.admin))
      .send({ email: uniqueEmail('ev'), role_ids: [w.roles.member], ...body })
      .expect(201);

  it('organization.updated carries the organization after the change', async () => {
    const events = await eventsOf(() =>
      t
        .http()
        .patch(`/v1/organizations/${w.orgId}`)
        .set(auth(w.admin))
        .send({ name: 'Acme Renamed' })
        .expect(200),
    );
    expect(events).toEqual([
      {
        type: 'organization.updated',
        ...admin('organization', w.orgId),
        data: expect.objectContaining({ id: w.orgId, name: 'Acme Renamed' }),
      },
    ]);
  });

  it('invitation.created, .resent and .revoked; the email is queued by the event, and the data holds no link', async () => {
    let id = '';
    const created = await eventsOf(async () => {
      id = (await invite()).body.invitation_id;
    });
    expect(created).toEqual([
      {
        type: 'invitation.created',
        ...admin('invitation', id),
        data: expect.objectContaining({ invitation_id: id, status: 'pending', email_status: 'queued' }),
      },
    ]);
    await pastResendCooldown(t, id);
    const resent = await eventsOf(() =>
      t.http().post(`/v1/organizations/${w.orgId}/invitations/${id}/resend`).set(auth(w.admin)).expect(200),
    );
    expect(resent).toEqual([
      {
        type: 'invitation.resent',
        ...admin('invitation', id),
        data: expect.objectContaining({ invitation_id: id }),
      },
    ]);
    const outbox: { invitation_version: number; status: string }[] = await t.dataSource.query(
      'SELECT invitation_version, status FROM email_outbox WHERE invitation_id = $1 ORDER BY invitation_version',
      [id],
    );
    expect(outbox.map((row) => row.status)).toEqual(['superseded', 'queued']);
    const token = await currentToken(t, id);
    const revoked = await eventsOf(() =>
      t.http().post(`/v1/organizations/${w.orgId}/invitations/${id}/revoke`).set(auth(w.admin)).expect(200),
    );
    expect(revoked).toEqual([
      {
        type: 'invitation.revoked',
        ...admin('invitation', id),
        data: expect.objectContaining({ status: 'revoked' }),
      },
    ]);
    expectNoCredentials([...created, ...resent, ...revoked], [token]);
  });

  it('send_invitation: false appends invitation.created and queues no email', async () => {
    let id = '';
    const events = await eventsOf(async () => {
      id = (await invite({ send_invitation: false })).body.invitation_id;
    });
    expect(events.map((event) => [event.type, event.data.email_status])).toEqual([
      ['invitation.created', 'not_requested'],
    ]);
    expect(await t.dataSource.query('SELECT 1 FROM email_outbox WHERE invitation_id = $1', [id])).toEqual([]);
    expectNoCredentials(events);
  });

  it('accepting appends invitation.accepted, member.joined (via invitation) and the new api_key.created, by the invitee', async () => {
    const { invitation_id: id, user_id: userId } = (await invite()).body;
    const token = await currentToken(t, id);
    let apiKey = '';
    const events = await eventsOf(async () => {
      apiKey = (await t.http().post('/v1/invitations/accept').send({ token }).expect(200)).body.api_key;
    });
    expect(apiKey).toMatch(/^oik_/);
    const invitee = { actor_type: 'user', actor_id: userId, actor_api_key_id: null };
    expect(events).toEqual(
      expect.arrayContaining([
        {
          type: 'api_key.created',
          organization_id: null,
          ...invitee,
          subject_type: 'api_key',
          subject_id: expect.any(String),
          data: expect.objectContaining({ name: 'invitation' }),
        },
        {
          type: 'invitation.accepted',
          organization_id: w.orgId,
          ...invitee,
          subject_type: 'invitation',
          subject_id: id,
          data: expect.objectContaining({ status: 'accepted' }),
        },
        {
          type: 'member.joined',
          organization_id: w.orgId,
          ...invitee,
          subject_type: 'member',
          subject_id: userId,
          data: expect.objectContaining({ id: userId, account_state: 'active', via: 'invitation' }),
        },
      ]),
    );
    expect(events).toHaveLength(3);
    expectNoCredentials(events, [apiKey, token]);
  });

  it("the accept's events carry the invitation, the member and the key exactly as the API shows them afterwards", async () => {
    // Grants changed while pending, the role invited first having the greater id: the invitation
    // keeps the invited order (the member view has its own), and both must match the events.
    const org = `/v1/organizations/${w.orgId}`;
    const department = await insertDepartment(t, w.orgId, `Accepting ${uniqueEmail()}`);
    const roles = [w.roles.admin, w.roles.member].sort().reverse();
    const created = await t
      .http()
      .post(`${org}/invitations`)
      .set(auth(w.owner))
      .send({ email: uniqueEmail('ev'), role_ids: [roles[0]] })
      .expect(201);
    const { invitation_id: id, user_id: userId } = created.body as { invitation_id: string; user_id: string };
    await t
      .http()
      .put(`${org}/users/${userId}/memberships`)
      .set(auth(w.owner))
      .send({ role_ids: roles, department_ids: [department] })
      .expect(200);
    const token = await currentToken(t, id);
    let apiKey = '';
    const events = await eventsOf(async () => {
      apiKey = (
        await t.http().post('/v1/invitations/accept').send({ token, full_name: 'Ada Accepting' }).expect(200)
      ).body.api_key;
    });

    const { invitation_link: _link, ...invitation } = (
      await t.http().get(`${org}/invitations/${id}`).set(auth(w.owner)).expect(200)
    ).body as Record<string, unknown>;
    const { invitation_link: _none, ...member } = (
      await t.http().get(`${org}/users/${userId}`).set(auth(w.owner)).expect(200)
    ).body as Record<string, unknown>;
    const keys = (await t.http().get('/v1/api-keys').set('Authorization', `Bearer ${apiKey}`).expect(200))
      .body.data as Record<string, unknown>[];
    expect(invitation).toMatchObject({ status: 'accepted', role_ids: roles, department_ids: [department] });
    expect(member).toMatchObject({ full_name: 'Ada Accepting', role_ids: expect.arrayContaining(roles) });
    expect(keys).toHaveLength(1);
    // The key was used since (to list itself); the event shows it as created.
    expect(Object.fromEntries(events.map((event) => [event.type, event.data]))).toEqual({
      'invitation.accepted': invitation,
      'member.joined': { ...member, via: 'invitation' },
      'api_key.created': { ...keys[0], last_used_at: null },
    });
  });

  it('declining appends invitation.declined and cancels the queued email', async () => {
    const { invitation_id: id, user_id: userId } = (await invite()).body;
    const token = await currentToken(t, id);
    const events = await eventsOf(() => t.http().post('/v1/invitations/decline').send({ token }).expect(200));
    expect(events).toEqual([
      {
        type: 'invitation.declined',
        organization_id: w.orgId,
        actor_type: 'user',
        actor_id: userId,
        actor_api_key_id: null,
        subject_type: 'invitation',
        subject_id: id,
        data: expect.objectContaining({ status: 'declined' }),
      },
    ]);
    expect(
      await t.dataSource.query('SELECT status FROM email_outbox WHERE invitation_id = $1', [id]),
    ).toEqual([{ status: 'superseded' }]);
  });

  it('member.updated, .deactivated, .reactivated and .removed, each with the member after the change', async () => {
    const target = await createActiveMember(t, w.orgId, [w.roles.member]);
    const members = `/v1/organizations/${w.orgId}/users/${target.userId}`;
    const member = (type: string, data: Record<string, unknown>) => ({
      type,
      ...admin('member', target.userId),
      data: expect.objectContaining({ id: target.userId, ...data }),
    });
    expect(
      await eventsOf(() =>
        t
          .http()
          .put(`${members}/memberships`)
          .set(auth(w.admin))
          .send({ role_ids: [w.roles.admin], department_ids: [] })
          .expect(200),
      ),
    ).toEqual([member('member.updated', { role_ids: [w.roles.admin] })]);
    expect(
      await eventsOf(() => t.http().post(`${members}/deactivate`).set(auth(w.admin)).expect(200)),
    ).toEqual([member('member.deactivated', { account_state: 'deactivated' })]);
    expect(
      await eventsOf(() => t.http().post(`${members}/reactivate`).set(auth(w.admin)).expect(200)),
    ).toEqual([member('member.reactivated', { account_state: 'active' })]);
    expect(await eventsOf(() => t.http().delete(members).set(auth(w.admin)).expect(204))).toEqual([
      member('member.removed', {}),
    ]);
  });

  it('removing a pending member revokes their invitation: invitation.revoked, then member.removed', async () => {
    const { invitation_id: id, user_id: userId } = (await invite()).body;
    const events = await eventsOf(() =>
      t.http().delete(`/v1/organizations/${w.orgId}/users/${userId}`).set(auth(w.admin)).expect(204),
    );
    expect(events.map((event) => [event.type, event.subject_id])).toEqual([
      ['invitation.revoked', id],
      ['member.removed', userId],
    ]);
    expect(
      await t.dataSource.query('SELECT status FROM email_outbox WHERE invitation_id = $1', [id]),
    ).toEqual([{ status: 'superseded' }]);
  });

  it('api_key.created and .revoked belong to no organization and never hold the key', async () => {
    let keyId = '';
    let secret = '';
    const created = await eventsOf(async () => {
      const res = await t.http().post('/v1/api-keys').set(auth(w.owner)).send({ name: 'ci' }).expect(201);
      ({ id: keyId, key: secret } = res.body);
    });
    const owner = {
      organization_id: null,
      actor_type: 'user',
      actor_id: w.owner.userId,
      actor_api_key_id: ownerKeyId,
    };
    expect(created).toEqual([
      {
        type: 'api_key.created',
        ...owner,
        subject_type: 'api_key',
        subject_id: keyId,
        data: expect.objectContaining({ id: keyId, name: 'ci' }),
      },
    ]);
    const revoked = await eventsOf(() =>
      t.http().delete(`/v1/api-keys/${keyId}`).set(auth(w.owner)).expect(204),
    );
    expect(revoked).toEqual([
      {
        type: 'api_key.revoked',
        ...owner,
        subject_type: 'api_key',
        subject_id: keyId,
        data: expect.objectContaining({ id: keyId }),
      },
    ]);
    expectNoCredentials([...created, ...revoked], [secret]);
  });

  it('domain.created, .verified and .deleted', async () => {
    const domains = `/v1/organizations/${w.orgId}/domains`;
    let domain: { id: string; verification: { name: string; value: string } } | undefined;
    const created = await eventsOf(async () => {
      domain = (
        await t.http().post(domains).set(auth(w.admin)).send({ domain: 'events-example.test' }).expect(201)
      ).body;
    });
    const id = domain!.id;
    expect(created).toEqual([
      {
        type: 'domain.created',
        ...admin('domain', id),
        data: expect.objectContaining({ id, status: 'pending' }),
      },
    ]);
    dns.txt.set(domain!.verification.name, [[domain!.verification.value]]);
    const verified = await eventsOf(() =>
      t.http().post(`${domains}/${id}/verify`).set(auth(w.admin)).expect(200),
    );
    expect(verified).toEqual([
      {
        type: 'domain.verified',
        ...admin('domain', id),
        data: expect.objectContaining({ status: 'verified' }),
      },
    ]);
    // Verifying again changes nothing, and so appends nothing.
    expect(
      await eventsOf(() => t.http().post(`${domains}/${id}/verify`).set(auth(w.admin)).expect(200)),
    ).toEqual([]);
    const deleted = await eventsOf(() => t.http().delete(`${domains}/${id}`).set(auth(w.admin)).expect(204));
    expect(deleted).toEqual([
      { type: 'domain.deleted', ...admin('domain', id), data: expect.objectContaining({ id }) },
    ]);
  });

  it('joining by domain appends member.joined with via: domain', async () => {
    await t.dataSource.query(
      `INSERT INTO organization_domains (id, organization_id, domain, status, verification_value, verified_at)
       VALUES ('dom_eventsjoin', $1, 'join-events.test', 'verified', 'v', now())`,
      [w.orgId],
    );
    await t
      .http()
      .patch(`/v1/organizations/${w.orgId}`)
      .set(auth(w.owner))
      .send({ auto_join: { enabled: true } })
      .expect(200);
    const joiner = await createActiveMember(
      t,
      w.otherOrgId,
      [],
      uniqueEmail('joiner').replace('example.test', 'join-events.test'),
    );
    const events = await eventsOf(() =>
      t.http().post(`/v1/organizations/${w.orgId}/join`).set(auth(joiner)).expect(201),
    );
    expect(events.map((event) => [event.type, event.subject_id, event.actor_id, event.data.via])).toEqual([
      ['member.joined', joiner.userId, joiner.userId, 'domain'],
    ]);
  });

  it.each(['roles', 'departments'])(
    '%s: created, updated and deleted, each with the resource',
    async (path) => {
      const subject = path === 'roles' ? 'role' : 'department';
      const base = `/v1/organizations/${w.orgId}/${path}`;
      let id = '';
      const created = await eventsOf(async () => {
        id = (
          await t
            .http()
            .post(base)
            .set(auth(w.admin))
            .send({ name: `Ev ${path}` })
            .expect(201)
        ).body.id;
      });
      expect(created).toEqual([
        {
          type: `${subject}.created`,
          ...admin(subject, id),
          data: expect.objectContaining({ id, name: `Ev ${path}` }),
        },
      ]);
      const updated = await eventsOf(() =>
        t.http().patch(`${base}/${id}`).set(auth(w.admin)).send({ description: 'now described' }).expect(200),
      );
      expect(updated).toEqual([
        {
          type: `${subject}.updated`,
          ...admin(subject, id),
          data: expect.objectContaining({ id, description: 'now described' }),
        },
      ]);
      const deleted = await eventsOf(() => t.http().delete(`${base}/${id}`).set(auth(w.admin)).expect(204));
      expect(deleted).toEqual([
        {
          type: `${subject}.deleted`,
          ...admin(subject, id),
          data: expect.objectContaining({ id, name: `Ev ${path}` }),
        },
      ]);
      // A name that is taken is refused by the unique index: no event.
      await t.http().post(base).set(auth(w.admin)).send({ name: 'Taken' }).expect(201);
      expect(
        await eventsOf(() => t.http().post(base).set(auth(w.admin)).send({ name: 'Taken' }).expect(409)),
      ).toEqual([]);
    },
  );

  it('a change that is refused or rolled back leaves no event', async () => {
    // Refused by a rule: the invitee is already a member.
    expect(
      await eventsOf(() =>
        t
          .http()
          .post(`/v1/organizations/${w.orgId}/invitations`)
          .set(auth(w.admin))
          .send({ email: w.member.email })
          .expect(409),
      ),
    ).toEqual([]);
    // Rolled back by a database fault after the change and its event were written.
    await t.dataSource.query(`
      CREATE FUNCTION refuse_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'injected fault'; END $$;
      CREATE TRIGGER refuse_outbox BEFORE INSERT ON email_outbox FOR EACH ROW EXECUTE FUNCTION refuse_outbox();`);
    const email = uniqueEmail('rolled-back');
    try {
      const events = await eventsOf(() =>
        t
          .http()
          .post(`/v1/organizations/${w.orgId}/invitations`)
          .set(auth(w.admin))
          .send({ email })
          .expect(500),
      );
      expect(events).toEqual([]);
    } finally {
      await t.dataSource.query('DROP TRIGGER refuse_outbox ON email_outbox; DROP FUNCTION refuse_outbox();');
    }
    expect(await t.dataSource.query('SELECT 1 FROM invitations WHERE email = $1', [email])).toEqual([]);
  });
});
