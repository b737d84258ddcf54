import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SYSTEM_ACTOR, userActor } from '../src/events/actor.js';
import { EventLog, NewEvent } from '../src/events/event-log.js';
import { EventRetention } from '../src/events/event-retention.js';
import { expectError } from './support/envelope.js';
import { auth, createWorld, World } from './support/fixtures.js';
import { walkPages } from './support/pagination.js';
import { createTestApp, TestApp } from './support/test-app.js';

describe('audit log API', () => {
  let t: TestApp;
  let w: World;
  const base = (org: string = w.orgId) => `/v1/organizations/${org}/events`;
  const append = (event: Partial<NewEvent>) =>
    t.dataSource.transaction((m) =>
      t.app.get(EventLog).append(m, {
        type: 'invitation.created',
        organizationId: w.orgId,
        actor: SYSTEM_ACTOR,
        subjectId: 'inv_subject1',
        data: {},
        ...event,
      }),
    );
  const ids = (res: { body: { data: { id: string }[] } }) => res.body.data.map((e) => e.id);

  beforeAll(async () => {
    t = await createTestApp();
    w = await createWorld(t);
  });
  afterAll(() => t.close());

  it('lists newest first with keyset pagination, and gets one event', async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await append({ data: { n: i, token: 'tok_secret' } })).id);
    const webhook = await t
      .http()
      .post(`/v1/organizations/${w.orgId}/webhook-endpoints`)
      .set(auth(w.admin))
      .send({ url: 'https://hooks.example.com/' });
    expect(webhook.status).toBe(201);
    const { ids: walked, pageSizes } = await walkPages(t, base(), w.admin, 2);
    expect(pageSizes).toEqual([2, 2, 2]);
    const [{ id: createdEvent }] = await t.dataSource.query(`SELECT id FROM events WHERE subject_id = $1`, [
      webhook.body.id,
    ]);
    // Newest first, ties (same millisecond) broken by id, as the keyset orders them.
    const order: { id: string }[] = await t.dataSource.query(
      'SELECT id FROM events WHERE organization_id = $1 ORDER BY created_at DESC, id DESC',
      [w.orgId],
    );
    expect(walked).toEqual(order.map((r) => r.id));
    expect([...walked].sort()).toEqual([createdEvent, ...made].sort());
    expect(walked[0]).toBe(createdEvent);

    const one = await t.http().get(`${base()}/${createdEvent}`).set(auth(w.owner));
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      id: createdEvent,
      type: 'webhook_endpoint.created',
      organization_id: w.orgId,
      actor: { type: 'user', id: w.admin.userId },
      subject: { type: 'webhook_endpoint', id: webhook.body.id },
      data: { id: webhook.body.id, url: 'https://hooks.example.com/' },
    });
    expect(one.body.actor.api_key_id).toMatch(/^key_/);
    expect(one.body.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const all = await t.http().get(base()).query({ limit: 100 }).set(auth(w.admin));
    expect(JSON.stringify(all.body)).not.toContain('tok_secret');
    expect(JSON.stringify(all.body)).not.toContain('whsec_');
  });

  it('filters by type (exact and prefix.*), actor, subject and time', async () => {
    const role = await append({
      type: 'role.created',
      subjectId: 'role_filter1',
      actor: userActor({ userId: w.owner.userId }),
    });
    const member = await append({ type: 'member.joined', subjectId: 'usr_filter1' });
    const byType = await t.http().get(base()).query({ type: 'role.created' }).set(auth(w.admin));
    expect(ids(byType)).toEqual([role.id]);
    const byPrefix = await t.http().get(base()).query({ type: 'member.*' }).set(auth(w.admin));
    expect(ids(byPrefix)).toEqual([member.id]);
    const byActor = await t.http().get(base()).query({ actor_id: w.owner.userId }).set(auth(w.admin));
    expect(ids(byActor)).toEqual([role.id]);
    const bySubject = await t.http().get(base()).query({ subject_id: 'usr_filter1' }).set(auth(w.admin));
    expect(ids(bySubject)).toEqual([member.id]);
    const since = new Date(role.createdAt.getTime()).toISOString();
    const until = new Date(member.createdAt.getTime()).toISOString();
    const window = await t.http().get(base()).query({ since, until }).set(auth(w.admin));
    expect(ids(window)).toEqual([role.id]);
    for (const query of [
      { type: 'role' },
      { since: 'yesterday' },
      { actor_id: 'nope' },
      { cursor: 'bm90LWEtY3Vyc29y' },
    ]) {
      expectError(await t.http().get(base()).query(query).set(auth(w.admin)), 400, 'VALIDATION_ERROR');
    }
  });

  it('is Admin/Owner only and scoped to the organization', async () => {
    const mine = await append({});
    const theirs = await append({ organizationId: w.otherOrgId });
    expectError(await t.http().get(base()).set(auth(w.member)), 403, 'INSUFFICIENT_PERMISSIONS');
    expectError(
      await t.http().get(`${base()}/${mine.id}`).set(auth(w.member)),
      403,
      'INSUFFICIENT_PERMISSIONS',
    );
    expectError(await t.http().get(base()).set(auth(w.otherOwner)), 404, 'ORGANIZATION_NOT_FOUND');
    expectError(
      await t.http().get(`${base()}/${mine.id}`).set(auth(w.otherOwner)),
      404,
      'ORGANIZATION_NOT_FOUND',
    );
    expectError(await t.http().get(`${base()}/${theirs.id}`).set(auth(w.owner)), 404, 'EVENT_NOT_FOUND');
    expectError(await t.http().get(`${base()}/evt_unknown1`).set(auth(w.owner)), 404, 'EVENT_NOT_FOUND');
    const list = await t.http().get(base()).query({ limit: 100 }).set(auth(w.owner));
    expect(ids(list)).not.toContain(theirs.id);
    const other = await t.http().get(base(w.otherOrgId)).set(auth(w.otherOwner));
    expect(ids(other)).toEqual([theirs.id]);
  });

  it('prunes events older than EVENT_RETENTION_DAYS', async () => {
    const old = await append({});
    const fresh = await append({});
    await t.dataSource.query(`UPDATE events SET created_at = now() - interval '366 days' WHERE id = $1`, [
      old.id,
    ]);
    expect(await t.app.get(EventRetention).prune()).toBe(1);
    const left: { id: string }[] = await t.dataSource.query('SELECT id FROM events WHERE id = ANY($1)', [
      [old.id, fresh.id],
    ]);
    expect(left.map((r) => r.id)).toEqual([fresh.id]);
  });
});
