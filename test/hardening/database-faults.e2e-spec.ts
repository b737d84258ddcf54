import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from 'pg';
import type { Response } from 'supertest';
import { auth, createWorld, World } from '../support/fixtures.js';
import { expectError } from '../support/envelope.js';
import { GENEROUS_LIMITS } from '../support/invitations.js';
import { createTestApp, TestApp } from '../support/test-app.js';
import {
  adminClient,
  databaseName,
  terminateBackends,
  waitForLockWaiters,
} from './support/database-admin.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Either the request worked, or it is a 503 SERVICE_UNAVAILABLE envelope: never a 500, never a hang. */
function expectServedOrUnavailable(res: Response): void {
  if (res.status < 400) return;
  expectError(res, 503, 'SERVICE_UNAVAILABLE');
}

describe('database faults on a real PostgreSQL', () => {
  let t: TestApp;
  let w: World;
  let admin: Client;
  let db: string;

  beforeAll(async () => {
    t = await createTestApp(GENEROUS_LIMITS);
    w = await createWorld(t);
    db = databaseName(t.config.databaseUrl);
    admin = await adminClient();
  });
  afterAll(async () => {
    await admin.query(`ALTER DATABASE ${db} WITH ALLOW_CONNECTIONS true`).catch(() => undefined);
    await admin.end();
    await t.close();
  });

  /** A mix of reads and writes, as a client would send. */
  function request(i: number) {
    switch (i % 4) {
      case 0:
        return t.http().get('/v1/me').set(auth(w.member));
      case 1:
        return t.http().get(`/v1/organizations/${w.orgId}`).set(auth(w.admin));
      case 2:
        return t
          .http()
          .post(`/v1/organizations/${w.orgId}/departments`)
          .set(auth(w.owner))
          .send({ name: `Dept ${i}-${Date.now()}` });
      default:
        return t.http().get(`/v1/organizations/${w.orgId}/users`).set(auth(w.owner));
    }
  }

  /** Recovered without a restart: readiness comes back by itself, then every kind of request works again. */
  async function expectHealthy(): Promise<void> {
    const deadline = Date.now() + 10_000;
    while ((await t.http().get('/health/ready')).status !== 200) {
      if (Date.now() > deadline) throw new Error('/health/ready did not recover within 10 s');
      await sleep(100);
    }
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => request(i)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 201, 200, 200, 200, 201, 200]);
  }

  it('answers 503 SERVICE_UNAVAILABLE to requests whose connection is terminated mid-query, then recovers', async () => {
    // Hold a lock every authenticated request needs, so the requests are provably inside a query when their backends die.
    const locker = await adminClient(db);
    const lockerPid: number = (await locker.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE api_keys IN ACCESS EXCLUSIVE MODE');
    const inFlight = Promise.all(Array.from({ length: 6 }, () => t.http().get('/v1/me').set(auth(w.member))));
    await waitForLockWaiters(admin, db, 6);
    expect(await terminateBackends(admin, db, [lockerPid])).toBeGreaterThanOrEqual(6);
    const results = await inFlight;
    await locker.query('ROLLBACK');
    await locker.end();

    for (const res of results) expectError(res, 503, 'SERVICE_UNAVAILABLE');
    await expectHealthy();
  });

  it('never answers 500 while backends are terminated again and again under load, and recovers without a restart', async () => {
    let faulting = true;
    let terminated = 0;
    const killer = (async () => {
      while (faulting) {
        terminated += await terminateBackends(admin, db);
        await sleep(20);
      }
    })();
    const responses: Response[] = [];
    const workers = Array.from({ length: 6 }, async (_, worker) => {
      for (let i = worker; faulting; i += 6) responses.push(await request(i));
    });
    await sleep(2500);
    faulting = false;
    await Promise.all([killer, ...workers]);

    expect(terminated).toBeGreaterThan(0);
    expect(responses.length).toBeGreaterThan(20);
    responses.forEach(expectServedOrUnavailable);
    await expectHealthy();
  });

  it('fails readiness and answers 503 while the database refuses connections, then recovers when it is back', async () => {
    await admin.query(`ALTER DATABASE ${db} WITH ALLOW_CONNECTIONS false`);
    try {
      await terminateBackends(admin, db);
      const ready = await t.http().get('/health/ready');
      expect(expectError(ready, 503, 'SERVICE_UNAVAILABLE').details).toEqual({ down: ['database'] });
      expect((await t.http().get('/health/live')).status).toBe(200);
      const during = await Promise.all(Array.from({ length: 8 }, (_, i) => request(i)));
      for (const res of during) expectError(res, 503, 'SERVICE_UNAVAILABLE');
    } finally {
      await admin.query(`ALTER DATABASE ${db} WITH ALLOW_CONNECTIONS true`);
    }
    await expectHealthy();
  });
});
