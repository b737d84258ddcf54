import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as http from 'node:http';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../../src/database/embedded-postgres.js';
import { createTestDatabase } from '../support/database.js';
import { GENEROUS_LIMITS } from '../support/invitations.js';
import { bootstrapWithCli, ensureBuilt, Spawned, spawnNode } from '../support/processes.js';
import { TEST_INVITATION_SECRET } from '../support/test-app.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import { adminClient, databaseName, waitForLockWaiters } from './support/database-admin.js';

interface Outcome {
  status?: number;
  body?: string;
  error?: string;
}

/** One request on its own connection; resolves with the complete response or the socket error. */
function get(port: number, path: string, headers: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body }));
      res.on('error', (error) => resolve({ error: error.message }));
    });
    req.on('error', (error) => resolve({ error: (error as NodeJS.ErrnoException).code ?? error.message }));
    req.end();
  });
}

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The built server (`node dist/main.js`), as production runs it, on a database of its own. */
describe('SIGTERM under load', () => {
  let databaseUrl: string;
  let apiKey: string;
  let server: Spawned | undefined;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oi-drain-'));

  beforeAll(async () => {
    ensureBuilt();
    databaseUrl = await createTestDatabase();
    const env = { DATABASE_URL: databaseUrl, DATA_DIR: dataDir, INVITATION_SECRET: TEST_INVITATION_SECRET };
    ({ apiKey } = bootstrapWithCli(env, 'Drain Corp', 'owner@drain.test'));
  }, 120_000);
  afterAll(() => {
    if (server?.child.exitCode === null) server.child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers every in-flight request completely, stops accepting, and exits 0', async () => {
    const port = await freePort();
    server = spawnNode(['dist/main.js'], {
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      AUTO_BOOTSTRAP: 'false',
      INVITATION_SECRET: TEST_INVITATION_SECRET,
      LOG_LEVEL: 'warn',
      ...GENEROUS_LIMITS,
    });
    await server.waitFor(/Listening on http:\/\/localhost:\d+/);

    // Every authenticated request reads api_keys first: with the table locked, they all stay in flight.
    const db = databaseName(databaseUrl);
    const admin = await adminClient();
    const locker = await adminClient(db);
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE api_keys IN ACCESS EXCLUSIVE MODE');
    try {
      const headers = { 'X-API-Key': apiKey };
      // 20 hold every pooled connection (blocked in PostgreSQL), 40 more wait for one in the app.
      const inFlight = Array.from({ length: 60 }, (_, i) =>
        get(port, i % 3 === 2 ? `/v1/organizations` : '/v1/me', headers),
      );
      await waitForLockWaiters(admin, db, 20);
      await sleep(500); // let the server read the requests that queue for a connection

      server.child.kill('SIGTERM');
      const deadline = Date.now() + 10_000;
      while (!(await refusesConnections(port))) {
        if (Date.now() > deadline) throw new Error('the server still accepts connections after SIGTERM');
        await sleep(50);
      }
      expect(server.child.exitCode).toBeNull(); // still draining: the requests are blocked

      await locker.query('COMMIT');
      const outcomes = await Promise.all(inFlight);
      expect(outcomes.filter((o) => o.error)).toEqual([]);
      expect(outcomes.map((o) => o.status)).toEqual(Array(60).fill(200));
      for (const o of outcomes) expect(() => JSON.parse(o.body!)).not.toThrow();
    } finally {
      await locker.end().catch(() => undefined);
      await admin.end();
    }
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.output()).not.toMatch(/shutdown after SIGTERM failed|Error/);
  });

  it('stops accepting at once while a job is still running, and exits 0 once it ends', async () => {
    const receiver = new WebhookReceiver();
    receiver.behave = () => 'hang';
    await receiver.start();
    const port = await freePort();
    server = spawnNode(['dist/main.js'], {
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      AUTO_BOOTSTRAP: 'false',
      INVITATION_SECRET: TEST_INVITATION_SECRET,
      LOG_LEVEL: 'warn',
      JOBS_ENABLED: 'true',
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      WEBHOOK_TIMEOUT_MS: '4000',
      ...GENEROUS_LIMITS,
    });
    try {
      await server.waitFor(/Listening on http:\/\/localhost:\d+/);
      const headers = { 'X-API-Key': apiKey, 'Content-Type': 'application/json' };
      const me = JSON.parse((await get(port, '/v1/organizations', headers)).body!) as {
        data: { id: string }[];
      };
      const orgId = me.data[0].id;
      // The endpoint's own webhook_endpoint.created delivery: its attempt hangs until the timeout.
      const created = await post(port, `/v1/organizations/${orgId}/webhook-endpoints`, headers, {
        url: receiver.url,
      });
      expect(created.status).toBe(201);
      const deadline = Date.now() + 20_000;
      while (receiver.received.length === 0) {
        if (Date.now() > deadline) throw new Error('the delivery attempt never arrived');
        await sleep(20);
      }

      const signalledAt = Date.now();
      server.child.kill('SIGTERM');
      while (!(await refusesConnections(port))) {
        if (Date.now() - signalledAt > 1_000) throw new Error('the job held the HTTP drain up');
        await sleep(20);
      }
      expect(server.child.exitCode).toBeNull(); // the attempt is still running
      expect(await server.exited).toEqual({ code: 0, signal: null });
      expect(server.output()).not.toMatch(/shutdown after SIGTERM failed/);
    } finally {
      await receiver.stop();
    }
  });
});

/** A JSON POST on its own connection. */
function post(port: number, path: string, headers: Record<string, string>, body: unknown): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method: 'POST', headers, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode, body: text }));
      },
    );
    req.on('error', (error) => resolve({ error: error.message }));
    req.end(JSON.stringify(body));
  });
}
