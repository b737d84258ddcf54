import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { SYSTEM_ACTOR } from '../src/events/actor.js';
import { EventLog } from '../src/events/event-log.js';
import { JobRunner } from '../src/jobs/job-runner.js';
import { WebhookAttempts } from '../src/webhooks/webhook-attempts.js';
import { expectError } from './support/envelope.js';
import { auth, createWorld, uniqueEmail, World } from './support/fixtures.js';
import { currentToken } from './support/invitations.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { ReceivedWebhook, WebhookReceiver } from './support/webhook-receiver.js';

const LOOPBACK_OK = { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  tick?: () => Promise<void>,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await tick?.();
    await sleep(50);
  }
}

/** Verified by the `standardwebhooks` package (the receiver's side), never by our own code. */
function verified(secret: string, request: ReceivedWebhook): Record<string, unknown> {
  return new Webhook(secret).verify(request.body, request.headers) as Record<string, unknown>;
}

/** An event in its own transaction, as the services append them (invitation flows are others' work). */
async function appendEvent(
  t: TestApp,
  organizationId: string,
  data: Record<string, unknown> = {},
  type = 'invitation.created' as const,
) {
  return t.dataSource.transaction((m) =>
    t.app
      .get(EventLog)
      .append(m, { type, organizationId, actor: SYSTEM_ACTOR, subjectId: 'inv_test1', data }),
  );
}

describe('webhook endpoints API', () => {
  let t: TestApp;
  let w: World;
  const base = (org: string = w.orgId) => `/v1/organizations/${org}/webhook-endpoints`;

  beforeAll(async () => {
    t = await createTestApp({ WEBHOOK_ALLOW_HTTP: 'false' });
    w = await createWorld(t);
  });
  afterAll(() => t.close());

  it('creates with a whsec_ secret shown once, then gets, lists, updates and deletes without it', async () => {
    const created = await t
      .http()
      .post(base())
      .set(auth(w.admin))
      .send({ url: 'https://hooks.example.com/a', description: 'CRM' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      url: 'https://hooks.example.com/a',
      event_types: ['*'],
      description: 'CRM',
      enabled: true,
    });
    expect(created.body.id).toMatch(/^whep_[A-Za-z0-9]{22}$/);
    expect(Buffer.from(created.body.secret.replace(/^whsec_/, ''), 'base64').length).toBe(32);
    const id = created.body.id as string;

    const [row] = await t.dataSource.query('SELECT secret_sealed FROM webhook_endpoints WHERE id = $1', [id]);
    expect(row.secret_sealed).toMatch(/^v1\./);
    expect(row.secret_sealed).not.toContain(created.body.secret.slice(6, 20));

    const got = await t.http().get(`${base()}/${id}`).set(auth(w.owner));
    expect(got.status).toBe(200);
    expect(got.body.secret).toBeUndefined();
    const listed = await t.http().get(base()).set(auth(w.owner));
    expect(listed.body.data.map((e: { id: string }) => e.id)).toContain(id);
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');

    const patched = await t
      .http()
      .patch(`${base()}/${id}`)
      .set(auth(w.admin))
      .send({ event_types: ['invitation.*', 'member.joined'], enabled: false });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ event_types: ['invitation.*', 'member.joined'], enabled: false });

    const rotated = await t.http().post(`${base()}/${id}/rotate-secret`).set(auth(w.admin));
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.body.secret);

    expect((await t.http().delete(`${base()}/${id}`).set(auth(w.admin))).status).toBe(204);
    expectError(await t.http().get(`${base()}/${id}`).set(auth(w.admin)), 404, 'WEBHOOK_ENDPOINT_NOT_FOUND');

    const types: { type: string }[] = await t.dataSource.query(
      'SELECT type FROM events WHERE subject_id = $1 ORDER BY created_at, id',
      [id],
    );
    expect(types.map((e) => e.type)).toEqual([
      'webhook_endpoint.created',
      'webhook_endpoint.updated',
      'webhook_endpoint.updated',
      'webhook_endpoint.deleted',
    ]);
    const datas: { data: unknown }[] = await t.dataSource.query(
      'SELECT data FROM events WHERE subject_id = $1',
      [id],
    );
    expect(JSON.stringify(datas)).not.toContain('whsec_');
  });

  it('refuses plain http, credentials in the URL, loopback and private literals, and unknown event types', async () => {
    for (const url of [
      'http://hooks.example.com/',
      'https://u:p@hooks.example.com/',
      'https://127.0.0.1/',
      'https://[::1]/',
      'https://10.1.2.3/',
      'https://[::ffff:127.0.0.1]/',
      'https://localhost/',
      'ftp://x/',
    ]) {
      const res = await t.http().post(base()).set(auth(w.admin)).send({ url });
      const error = expectError(res, 400, 'VALIDATION_ERROR');
      expect(error.details).toMatchObject({ errors: [{ loc: ['body', 'url'] }] });
    }
    const bad = await t
      .http()
      .post(base())
      .set(auth(w.admin))
      .send({ url: 'https://hooks.example.com/', event_types: ['invitation.nope'] });
    expectError(bad, 400, 'VALIDATION_ERROR');
  });

  it('is Admin/Owner only and invisible to other organizations', async () => {
    const created = await t
      .http()
      .post(base())
      .set(auth(w.owner))
      .send({ url: 'https://hooks.example.com/b' });
    const id = created.body.id as string;
    expectError(await t.http().get(base()).set(auth(w.member)), 403, 'INSUFFICIENT_PERMISSIONS');
    expectError(
      await t.http().post(base()).set(auth(w.member)).send({ url: 'https://hooks.example.com/c' }),
      403,
      'INSUFFICIENT_PERMISSIONS',
    );
    expectError(
      await t.http().get(`${base()}/${id}/deliveries`).set(auth(w.member)),
      403,
      'INSUFFICIENT_PERMISSIONS',
    );
    expectError(await t.http().get(`${base()}/${id}`).set(auth(w.otherOwner)), 404, 'ORGANIZATION_NOT_FOUND');
    expectError(
      await t.http().post(`${base()}/${id}/test`).set(auth(w.otherOwner)),
      404,
      'ORGANIZATION_NOT_FOUND',
    );
    // The other organization's Owner, in their own organization, with our endpoint's ID: not found.
    for (const res of [
      await t
        .http()
        .get(`${base(w.otherOrgId)}/${id}`)
        .set(auth(w.otherOwner)),
      await t
        .http()
        .patch(`${base(w.otherOrgId)}/${id}`)
        .set(auth(w.otherOwner))
        .send({ enabled: false }),
      await t
        .http()
        .delete(`${base(w.otherOrgId)}/${id}`)
        .set(auth(w.otherOwner)),
      await t
        .http()
        .post(`${base(w.otherOrgId)}/${id}/rotate-secret`)
        .set(auth(w.otherOwner)),
      await t
        .http()
        .get(`${base(w.otherOrgId)}/${id}/deliveries`)
        .set(auth(w.otherOwner)),
    ]) {
      expectError(res, 404, 'WEBHOOK_ENDPOINT_NOT_FOUND');
    }
    const [delivery] = await t.dataSource.query('SELECT id FROM webhook_deliveries WHERE endpoint_id = $1', [
      id,
    ]);
    expectError(
      await t
        .http()
        .post(`${base(w.otherOrgId)}/${id}/deliveries/${delivery.id}/retry`)
        .set(auth(w.otherOwner)),
      404,
      'WEBHOOK_ENDPOINT_NOT_FOUND',
    );
    expectError(
      await t.http().post(`${base()}/${id}/deliveries/whd_nope1/retry`).set(auth(w.owner)),
      404,
      'WEBHOOK_DELIVERY_NOT_FOUND',
    );
  });
});

describe('webhook delivery', () => {
  let t: TestApp;
  let w: World;
  const receiver = new WebhookReceiver();
  const base = () => `/v1/organizations/${w.orgId}/webhook-endpoints`;
  const runOnce = () => t.app.get(JobRunner).runOnce();

  beforeAll(async () => {
    await receiver.start();
    t = await createTestApp({
      ...LOOPBACK_OK,
      WEBHOOK_RETRY_SCHEDULE: Array(20).fill('0.2').join(','),
      WEBHOOK_TIMEOUT_MS: '300',
    });
    w = await createWorld(t);
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
  });

  async function endpoint(body: Record<string, unknown> = {}): Promise<{ id: string; secret: string }> {
    const res = await t
      .http()
      .post(base())
      .set(auth(w.admin))
      .send({ url: receiver.url, ...body });
    expect(res.status).toBe(201);
    return res.body;
  }

  it('signs every delivery so that standardwebhooks verifies it, with the event as the body', async () => {
    receiver.received.length = 0;
    const ep = await endpoint();
    await runOnce();
    expect(receiver.received).toHaveLength(1);
    const body = verified(ep.secret, receiver.received[0]);
    expect(body).toMatchObject({
      type: 'webhook_endpoint.created',
      organization_id: w.orgId,
      subject: { type: 'webhook_endpoint', id: ep.id },
    });
    expect(receiver.received[0].headers['webhook-id']).toBe(body.id);
    expect(() =>
      new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(
        receiver.received[0].body,
        receiver.received[0].headers,
      ),
    ).toThrow();

    const test = await t.http().post(`${base()}/${ep.id}/test`).set(auth(w.admin));
    expect(test.status).toBe(202);
    expect(test.body).toMatchObject({ endpoint_id: ep.id, event_type: 'webhook.test', status: 'pending' });
    await runOnce();
    expect(verified(ep.secret, receiver.received[1])).toMatchObject({
      type: 'webhook.test',
      data: { endpoint_id: ep.id },
    });
    const log = await t.http().get(`${base()}/${ep.id}/deliveries?status=succeeded`).set(auth(w.admin));
    expect(log.status).toBe(200);
    expect(log.body.data).toHaveLength(2);
    expect(log.body.data[0]).toMatchObject({
      event_type: 'webhook.test',
      status: 'succeeded',
      attempts: 1,
      response_status: 200,
      last_error: null,
    });
    expect(log.body.data[1].event_type).toBe('webhook_endpoint.created');
    await t.http().delete(`${base()}/${ep.id}`).set(auth(w.admin));
  });

  it('delivers only matching event types, only to its own organization, and never a token or link', async () => {
    receiver.received.length = 0;
    const ep = await endpoint({ event_types: ['invitation.*'] });
    const token = 'inv_test1.1.SECRETTOKENVALUE';
    await appendEvent(t, w.orgId, {
      id: 'inv_test1',
      email: 'x@example.test',
      token,
      invitation_link: `https://app.example.test/user/register?invite=${token}`,
    });
    await appendEvent(t, w.otherOrgId, { id: 'inv_test1' });
    await appendEvent(t, w.orgId, { id: 'role_x' }, 'role.created' as never);
    await runOnce();
    expect(receiver.received).toHaveLength(1);
    const body = verified(ep.secret, receiver.received[0]);
    expect(body).toMatchObject({
      type: 'invitation.created',
      organization_id: w.orgId,
      data: { email: 'x@example.test' },
    });
    for (const r of receiver.received) {
      expect(r.body).not.toContain('SECRETTOKENVALUE');
      expect(r.body).not.toContain('register?invite');
    }
    await t.http().delete(`${base()}/${ep.id}`).set(auth(w.admin));
  });

  it("delivers an accept's events with the data the event log holds for them", async () => {
    receiver.received.length = 0;
    const ep = await endpoint({ event_types: ['invitation.accepted', 'member.joined'] });
    const invited = await t
      .http()
      .post(`/v1/organizations/${w.orgId}/invitations`)
      .set(auth(w.admin))
      .send({ email: uniqueEmail('hook'), role_ids: [w.roles.member] })
      .expect(201);
    const { invitation_id: invitationId, user_id: userId } = invited.body as Record<string, string>;
    const token = await currentToken(t, invitationId);
    await t.http().post('/v1/invitations/accept').send({ token }).expect(200);
    await runOnce();
    const bodies = receiver.received.map(
      (r) => verified(ep.secret, r) as { id: string; type: string; data: unknown },
    );
    expect(bodies.map((body) => body.type).sort()).toEqual(['invitation.accepted', 'member.joined']);
    const logged: { id: string; data: unknown }[] = await t.dataSource.query(
      'SELECT id, data FROM events WHERE id = ANY($1)',
      [bodies.map((body) => body.id)],
    );
    expect(logged).toHaveLength(2);
    for (const body of bodies) expect(body.data).toEqual(logged.find((row) => row.id === body.id)?.data);
    expect(bodies.find((body) => body.type === 'member.joined')?.data).toMatchObject({
      id: userId,
      account_state: 'active',
      role_ids: [w.roles.member],
      via: 'invitation',
    });
    expect(bodies.find((body) => body.type === 'invitation.accepted')?.data).toMatchObject({
      invitation_id: invitationId,
      status: 'accepted',
      role_id: w.roles.member,
      role_ids: [w.roles.member],
    });
    await t.http().delete(`${base()}/${ep.id}`).set(auth(w.admin));
  });

  it('retries through 500s, hangs past the timeout and refused connections until every event arrives, verified', async () => {
    receiver.received.length = 0;
    const ep = await endpoint({ event_types: ['invitation.*'] });
    let recovered = false;
    receiver.behave = (i) => (i < 4 ? { status: 500 } : i < 7 ? 'hang' : { status: recovered ? 200 : 500 });
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await appendEvent(t, w.orgId, { n: i })).id);
    // 500s, then hangs, with the retries the schedule asks for.
    await waitFor(() => receiver.received.length >= 7, 20_000, runOnce);
    // Then the receiver is down: connections are refused (until at least one attempt saw it).
    await receiver.stop();
    const refused = async () => {
      const [{ n }] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1 AND last_error LIKE 'ECONNREFUSED%'`,
        [ep.id],
      );
      return n > 0;
    };
    try {
      await waitFor(refused, 20_000, runOnce);
    } finally {
      recovered = true;
      await receiver.start();
    }
    await waitFor(
      async () => {
        const [{ n }] = await t.dataSource.query(
          `SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1 AND status <> 'succeeded'`,
          [ep.id],
        );
        return n === 0;
      },
      20_000,
      runOnce,
    );
    receiver.behave = () => ({ status: 200 });

    // Every request verifies; the ones answered 200 are exactly the events, each once.
    const answered = receiver.received.map((r) => ({
      id: (verified(ep.secret, r) as { id: string }).id,
      answer: r.answer,
    }));
    expect(
      answered
        .filter((r) => r.answer === 200)
        .map((r) => r.id)
        .sort(),
    ).toEqual([...ids].sort());
    expect(answered.filter((r) => r.answer === 'hang').length).toBe(3);
    const log = await t.http().get(`${base()}/${ep.id}/deliveries`).set(auth(w.admin));
    expect(
      log.body.data.every(
        (d: { status: string; attempts: number }) => d.status === 'succeeded' && d.attempts >= 2,
      ),
    ).toBe(true);
    const [{ errors }] = await t.dataSource.query(
      `SELECT array_agg(DISTINCT split_part(last_error, ' ', 1)) AS errors FROM webhook_deliveries WHERE endpoint_id = $1`,
      [ep.id],
    );
    expect(errors).toEqual([null]); // succeeded: the error of the last attempt is cleared
    await t.http().delete(`${base()}/${ep.id}`).set(auth(w.admin));
  });

  it('during a rotation both secrets sign: two v1 signatures, each verifies', async () => {
    receiver.received.length = 0;
    const ep = await endpoint({ event_types: ['invitation.*'] });
    const rotated = await t.http().post(`${base()}/${ep.id}/rotate-secret`).set(auth(w.admin));
    await appendEvent(t, w.orgId);
    await runOnce();
    expect(receiver.received).toHaveLength(1);
    const signatures = receiver.received[0].headers['webhook-signature'].split(' ');
    expect(signatures).toHaveLength(2);
    expect(signatures.every((s) => s.startsWith('v1,'))).toBe(true);
    expect(verified(ep.secret, receiver.received[0]).type).toBe('invitation.created');
    expect(verified(rotated.body.secret, receiver.received[0]).type).toBe('invitation.created');
    // After the window only the new secret signs.
    await t.dataSource.query(
      `UPDATE webhook_endpoints SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1`,
      [ep.id],
    );
    await appendEvent(t, w.orgId);
    await runOnce();
    expect(receiver.received[1].headers['webhook-signature'].split(' ')).toHaveLength(1);
    expect(() => verified(ep.secret, receiver.received[1])).toThrow();
    expect(verified(rotated.body.secret, receiver.received[1]).type).toBe('invitation.created');
    await t.http().delete(`${base()}/${ep.id}`).set(auth(w.admin));
  });

  it('does not follow a redirect (a 3xx is a failed attempt) and keeps at most 4 KB of an answer', async () => {
    const target = new WebhookReceiver();
    await target.start();
    receiver.received.length = 0;
    receiver.behave = () => ({ status: 302, location: target.url, body: 'x'.repeat(10_000) });
    const ep = await endpoint({ event_types: ['invitation.*'] });
    await appendEvent(t, w.orgId);
    await runOnce();
    receiver.behave = () => ({ status: 200 });
    expect(target.received).toHaveLength(0);
    const [row] = await t.dataSource.query(
      'SELECT status, response_status, response_body, last_error FROM webhook_deliveries WHERE endpoint_id = $1',
      [ep.id],
    );
    expect(row).toMatchObject({
      status: 'pending',
      response_status: 302,
      last_error: 'receiver answered 302',
    });
    expect(row.response_body).toBe('x'.repeat(4096));
    await target.stop();
    await t.http().delete(`${base()}/${ep.id}`).set(auth(w.admin));
  });

  it('retries one delivery on request (202) and filters the log by status', async () => {
    receiver.received.length = 0;
    receiver.behave = () => ({ status: 500 });
    const ep = await endpoint({ event_types: ['invitation.*'] });
    await appendEvent(t, w.orgId);
    await runOnce();
    await t.dataSource.query(
      `UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL WHERE endpoint_id = $1`,
      [ep.id],
    );
    const failed = await t.http().get(`${base()}/${ep.id}/deliveries?status=failed`).set(auth(w.admin));
    expect(failed.body.data).toHaveLength(1);
    expect(
      (await t.http().get(`${base()}/${ep.id}/deliveries?status=succeeded`).set(auth(w.admin))).body.data,
    ).toHaveLength(0);
    expectError(
      await t.http().get(`${base()}/${ep.id}/deliveries?status=bogus`).set(auth(w.admin)),
      400,
      'VALIDATION_ERROR',
    );
    receiver.behave = () => ({ status: 200 });
    const retried = await t
      .http()
      .post(`${base()}/${ep.id}/deliveries/${failed.body.data[0].id}/retry`)
      .set(auth(w.admin));
    expect(retried.status).toBe(202);
    expect(retried.body.status).toBe('pending');
    await runOnce();
    const after = await t.http().get(`${base()}/${ep.id}/deliveries?status=succeeded`).set(auth(w.admin));
    expect(after.body.data).toHaveLength(1);
    expect(after.body.data[0].attempts).toBe(2);
    await t.http().delete(`${base()}/${ep.id}`).set(auth(w.admin));
  });
});

describe('webhook safety (private networks not allowed)', () => {
  let t: TestApp;
  let w: World;
  const receiver = new WebhookReceiver();
  const base = () => `/v1/organizations/${w.orgId}/webhook-endpoints`;

  beforeAll(async () => {
    await receiver.start();
    t = await createTestApp({ WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_DISABLE_AFTER_HOURS: '0' });
    w = await createWorld(t);
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
  });

  it('refuses a loopback URL at creation', async () => {
    expectError(
      await t.http().post(base()).set(auth(w.admin)).send({ url: receiver.url }),
      400,
      'VALIDATION_ERROR',
    );
  });

  it('refuses, at the attempt, a host name that resolves to 10.x or to loopback, and disables the failing endpoint once', async () => {
    const attempts = t.app.get(WebhookAttempts);
    for (const address of ['10.0.0.7', '127.0.0.1', '::ffff:127.0.0.1']) {
      attempts.resolve = async () => [{ address, family: address.includes(':') ? 6 : 4 }];
      const res = await t
        .http()
        .post(base())
        .set(auth(w.admin))
        .send({ url: `http://hooks.example.test:${receiver.port}/x` });
      expect(res.status).toBe(201);
      await t.app.get(JobRunner).runOnce();
      const [row] = await t.dataSource.query(
        'SELECT status, last_error, response_status FROM webhook_deliveries WHERE endpoint_id = $1',
        [res.body.id],
      );
      expect(row.last_error).toContain(`resolves to ${address}`);
      expect(row.response_status).toBeNull();
      // WEBHOOK_DISABLE_AFTER_HOURS=0: the first failure ends it, with one webhook_endpoint.disabled event.
      const got = await t.http().get(`${base()}/${res.body.id}`).set(auth(w.admin));
      expect(got.body.enabled).toBe(false);
      const events = await t.dataSource.query(
        `SELECT actor_type FROM events WHERE subject_id = $1 AND type = 'webhook_endpoint.disabled'`,
        [res.body.id],
      );
      expect(events).toEqual([{ actor_type: 'system' }]);
    }
    expect(receiver.received).toHaveLength(0);
  });
});

describe('webhook delivery with two instances', () => {
  let a: TestApp;
  let b: TestApp;
  let w: World;
  const receiver = new WebhookReceiver();

  beforeAll(async () => {
    await receiver.start();
    // Instances of one deployment share the database and WEBHOOK_SECRET_KEY.
    const env = {
      ...LOOPBACK_OK,
      JOBS_ENABLED: 'true',
      JOBS_POLL_INTERVAL_MS: '100',
      WEBHOOK_SECRET_KEY: 'test-webhook-secret-key-0123456789abcdef',
    };
    a = await createTestApp(env);
    b = await createTestApp({ ...env, DATABASE_URL: a.config.databaseUrl });
    w = await createWorld(a);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await receiver.stop();
  });

  it('share the work: every event arrives once, verified', async () => {
    const created = await a
      .http()
      .post(`/v1/organizations/${w.orgId}/webhook-endpoints`)
      .set(auth(w.admin))
      .send({ url: receiver.url, event_types: ['invitation.*'] });
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push((await appendEvent(i % 2 ? a : b, w.orgId, { n: i })).id);
    await waitFor(() => receiver.received.length >= ids.length);
    await sleep(500);
    const seen = receiver.received.map((r) => (verified(created.body.secret, r) as { id: string }).id);
    expect(seen.sort()).toEqual(ids.sort());
  });
});
