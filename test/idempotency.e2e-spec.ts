import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { auth, createWorld, World } from './support/fixtures.js';
import { requestFingerprint } from '../src/idempotency/idempotency-rules.js';
import { expectError } from './support/envelope.js';
import { createTestApp, TestApp } from './support/test-app.js';

describe('Idempotency-Key', () => {
  let t: TestApp;
  let w: World;
  let n = 0;
  const departments = (org = w.orgId) => `/v1/organizations/${org}/departments`;
  const uniqueName = () => `Dept ${Date.now().toString(36)} ${++n}`;
  const countNamed = async (name: string) =>
    Number(
      (await t.dataSource.query('SELECT count(*)::int AS n FROM departments WHERE name = $1', [name]))[0].n,
    );
  const post = (key: string, body: Record<string, unknown>, actor = w.admin) =>
    t.http().post(departments()).set(auth(actor)).set('Idempotency-Key', key).send(body);

  beforeAll(async () => {
    t = await createTestApp();
    w = await createWorld(t);
  });
  afterAll(() => t.close());

  it('replays the kept outcome byte for byte with Idempotent-Replayed: true, executing nothing', async () => {
    const name = uniqueName();
    const first = await post('replay-1', { name });
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await post('replay-1', { name });
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.text).toBe(first.text);
    expect(await countNamed(name)).toBe(1);
  });

  it('refuses the same key with a different body: 422 IDEMPOTENCY_KEY_REUSED', async () => {
    await post('reused-1', { name: uniqueName() }).expect(201);
    const res = await post('reused-1', { name: uniqueName() });
    expectError(res, 422, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('refuses the same key on a different path: 422 IDEMPOTENCY_KEY_REUSED', async () => {
    await post('reused-path', { name: uniqueName() }).expect(201);
    const res = await t
      .http()
      .post(`/v1/organizations/${w.orgId}/roles`)
      .set(auth(w.admin))
      .set('Idempotency-Key', 'reused-path')
      .send({ name: uniqueName() });
    expectError(res, 422, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('scopes keys per caller: two callers with one key both execute', async () => {
    const a = uniqueName();
    const b = uniqueName();
    await post('shared-key', { name: a }, w.admin).expect(201);
    const other = await post('shared-key', { name: b }, w.owner);
    expect(other.status).toBe(201);
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    expect(await countNamed(a)).toBe(1);
    expect(await countNamed(b)).toBe(1);
  });

  it('keeps a business-rule 409 and replays it, even after the conflict is gone', async () => {
    const name = uniqueName();
    const existing = await t.http().post(departments()).set(auth(w.admin)).send({ name }).expect(201);
    const conflict = await post('conflict-1', { name });
    expectError(conflict, 409, 'DEPARTMENT_ALREADY_EXISTS');
    await t.http().delete(`${departments()}/${existing.body.id}`).set(auth(w.admin)).expect(204);
    const replay = await post('conflict-1', { name });
    expect(replay.status).toBe(409);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.text).toBe(conflict.text);
    expect(await countNamed(name)).toBe(0);
  });

  it('does not keep a validation failure: a corrected retry under the same key executes', async () => {
    const bad = await post('fix-then-retry', { name: '' });
    expectError(bad, 400, 'VALIDATION_ERROR');
    const name = uniqueName();
    const good = await post('fix-then-retry', { name });
    expect(good.status).toBe(201);
    expect(good.headers['idempotent-replayed']).toBeUndefined();
    expect(await countNamed(name)).toBe(1);
  });

  it('does not keep a 500: after a database fault, a retry under the same key executes', async () => {
    const name = uniqueName();
    await t.dataSource.query(`
      CREATE FUNCTION refuse_department() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'injected fault'; END $$;
      CREATE TRIGGER refuse_department BEFORE INSERT ON departments FOR EACH ROW EXECUTE FUNCTION refuse_department();`);
    try {
      expectError(await post('after-fault', { name }), 500, 'INTERNAL_ERROR');
    } finally {
      await t.dataSource.query(
        'DROP TRIGGER refuse_department ON departments; DROP FUNCTION refuse_department();',
      );
    }
    const retry = await post('after-fault', { name });
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(await countNamed(name)).toBe(1);
  });

  it('commits the change with its kept record or not at all: a record that cannot be written rolls the change back', async () => {
    // The services join the interceptor's transaction (Db): the invitation, its event and its email
    // are written in a savepoint of it, so a fault on the record's insert undoes all of them.
    const email = `atomic-${Date.now().toString(36)}@example.test`;
    const invite = () =>
      t
        .http()
        .post(`/v1/organizations/${w.orgId}/invitations`)
        .set(auth(w.admin))
        .set('Idempotency-Key', 'atomic-1')
        .send({ email });
    const count = async (sql: string) => Number((await t.dataSource.query(sql, [email]))[0].n);
    const invitations = () => count('SELECT count(*)::int AS n FROM invitations WHERE email = $1');
    const events = () => count(`SELECT count(*)::int AS n FROM events WHERE data->>'email' = $1`);
    const emails = () =>
      count(
        'SELECT count(*)::int AS n FROM email_outbox o JOIN invitations i ON i.id = o.invitation_id WHERE i.email = $1',
      );
    await t.dataSource.query(`
      CREATE FUNCTION refuse_record() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.key = 'atomic-1' THEN RAISE EXCEPTION 'injected fault'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER refuse_record BEFORE INSERT ON idempotency_records FOR EACH ROW EXECUTE FUNCTION refuse_record();`);
    try {
      expectError(await invite(), 500, 'INTERNAL_ERROR');
      expect({ invitations: await invitations(), events: await events(), emails: await emails() }).toEqual({
        invitations: 0,
        events: 0,
        emails: 0,
      });
    } finally {
      await t.dataSource.query(
        'DROP TRIGGER refuse_record ON idempotency_records; DROP FUNCTION refuse_record();',
      );
    }
    const retry = await invite();
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect({ invitations: await invitations(), events: await events(), emails: await emails() }).toEqual({
      invitations: 1,
      events: 1,
      emails: 1,
    });
    const replay = await invite();
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(await invitations()).toBe(1);
  });

  it('replays a 204 without a body', async () => {
    const created = await t
      .http()
      .post(departments())
      .set(auth(w.admin))
      .send({ name: uniqueName() })
      .expect(201);
    const del = () =>
      t
        .http()
        .delete(`${departments()}/${created.body.id}`)
        .set(auth(w.admin))
        .set('Idempotency-Key', 'delete-1');
    const first = await del();
    expect(first.status).toBe(204);
    const again = await del();
    expect(again.status).toBe(204);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.text).toBe('');
  });

  it('executes exactly one of 20 concurrent requests with one key; the rest get 409 IN_USE or the replay', async () => {
    const name = uniqueName();
    const results = await Promise.all(Array.from({ length: 20 }, () => post('concurrent-1', { name })));
    const executed = results.filter(
      (r) => r.status === 201 && r.headers['idempotent-replayed'] === undefined,
    );
    const replayed = results.filter((r) => r.status === 201 && r.headers['idempotent-replayed'] === 'true');
    const inUse = results.filter((r) => r.status === 409);
    expect(executed).toHaveLength(1);
    expect(replayed.length + inUse.length).toBe(19);
    for (const r of inUse) expectError(r, 409, 'IDEMPOTENCY_KEY_IN_USE');
    for (const r of replayed) expect(r.text).toBe(executed[0].text);
    expect(await countNamed(name)).toBe(1);
  });

  it('replays, undoing its own run, when the key’s record commits between its claim and its record', async () => {
    // The claim reads its snapshot before it takes the lock (IdempotencyRepository.claim), so a
    // request can claim a key in the instant after another committed its record and execute again.
    // Forced here: the request is held inside its handler (a trigger waits on a lock the test
    // holds) while the test commits the record; its own record then collides, and it replays.
    const name = uniqueName();
    const scoped = await post('race-scope', { name: uniqueName() });
    expect(scoped.status).toBe(201);
    const [{ scope }] = await t.dataSource.query(
      "SELECT scope FROM idempotency_records WHERE key = 'race-scope'",
    );
    const gate = t.dataSource.createQueryRunner();
    await gate.connect();
    await gate.startTransaction();
    await gate.query('SELECT pg_advisory_xact_lock(424242)');
    await t.dataSource.query(`
      CREATE FUNCTION hold_department() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_advisory_xact_lock_shared(424242); RETURN NEW; END $$;
      CREATE TRIGGER hold_department BEFORE INSERT ON departments FOR EACH ROW EXECUTE FUNCTION hold_department();`);
    try {
      // supertest sends on then(): the request is on its way while the test waits for it below.
      const response = post('race-1', { name }).then((r) => r);
      const held = async (): Promise<void> => {
        const [{ waiting }] = await t.dataSource.query(
          "SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND objid = 424242 AND NOT granted",
        );
        if (waiting === 0) return new Promise((resolve) => setTimeout(resolve, 20)).then(held);
      };
      await held();
      const fingerprint = requestFingerprint('POST', departments(), { name });
      // The other request's record: the outcome kept for race-scope, under this request's fingerprint.
      await t.dataSource.query(
        `INSERT INTO idempotency_records (scope, key, fingerprint, status, body, headers)
         SELECT scope, 'race-1', $2, status, body, headers FROM idempotency_records WHERE scope = $1 AND key = 'race-scope'`,
        [scope, fingerprint],
      );
      await gate.commitTransaction();
      const raced = await response;
      expect(raced.status).toBe(201);
      expect(raced.headers['idempotent-replayed']).toBe('true');
      expect(raced.text).toBe(scoped.text);
      expect(await countNamed(name)).toBe(0);
    } finally {
      if (gate.isTransactionActive) await gate.rollbackTransaction();
      await gate.release();
      await t.dataSource.query(
        'DROP TRIGGER hold_department ON departments; DROP FUNCTION hold_department();',
      );
    }
  });

  it('refuses a malformed key with 400 VALIDATION_ERROR naming the header', async () => {
    const res = await post('x'.repeat(256), { name: uniqueName() });
    const error = expectError(res, 400, 'VALIDATION_ERROR');
    expect((error.details as { errors: { loc: string[] }[] }).errors[0].loc).toEqual([
      'header',
      'Idempotency-Key',
    ]);
  });

  it('keeps bodies sealed: a kept response is not readable from the database', async () => {
    const name = uniqueName();
    await post('sealed-1', { name }).expect(201);
    const rows: { body: string }[] = await t.dataSource.query(
      `SELECT body FROM idempotency_records WHERE key = 'sealed-1'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].body).not.toContain(name);
  });

  it('ignores the header on reads', async () => {
    const res = await t.http().get(departments()).set(auth(w.member)).set('Idempotency-Key', 'read-1');
    expect(res.status).toBe(200);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
  });

  it('serves 40 concurrent keyed invites, more than the pool has connections: the create joins the key’s transaction', async () => {
    const emails = Array.from({ length: 40 }, (_, i) => `keyed-${Date.now().toString(36)}-${i}@example.test`);
    const results = await Promise.all(
      emails.map((email) =>
        t
          .http()
          .post(`/v1/organizations/${w.orgId}/invitations`)
          .set(auth(w.admin))
          .set('Idempotency-Key', `keyed-${email}`)
          .send({ email }),
      ),
    );
    // A second connection per request would deadlock the pool: every request holding one connection
    // and waiting for another until connectionTimeoutMillis, then answering 503. Not timed: statuses only.
    expect(results.map((r) => r.status)).toEqual(emails.map(() => 201));
  });
});
