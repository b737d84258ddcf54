/**
 * `npm run bench:webhooks`: (1) event-to-delivery latency at 100 events/s on loopback — each event is a
 * PATCH of an endpoint (a `webhook_endpoint.updated` event through the event log's reaction, the job
 * queue and a signed POST), timed from the request to the receiver's arrival; (2) invite throughput
 * with no webhook endpoint against one enabled endpoint receiving every event. Needs DATABASE_URL
 * (a fresh database is created on its server and dropped afterwards) and a built app (`npm run build`).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import { runLoad, summarize } from './lib/load.js';
import { startServer } from './lib/servers.js';
import { freePort, log } from './lib/setup.js';

const RATE = 100;
const LATENCY_SECONDS = Number(process.env.BENCH_WEBHOOK_SECONDS ?? 20);
const INVITE_SECONDS = Number(process.env.BENCH_DURATION ?? 10);

function percentile(sorted: number[], p: number): number {
  return sorted.length
    ? Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] * 10) / 10
    : 0;
}

async function main(): Promise<void> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    // `npm run bench` runs this after run.js, which can use an embedded PostgreSQL; this part cannot.
    log('webhooks scenario skipped: it needs DATABASE_URL');
    return;
  }
  const name = `oi_bench_wh_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oi-bench-wh-'));
  const secret = randomBytes(33).toString('base64url');
  const env: Record<string, string> = {
    DATABASE_URL: url.toString(),
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    MAIL_WORKER_ENABLED: 'false',
    AUTO_BOOTSTRAP: 'false',
    INVITATION_SECRET: secret,
    WEBHOOK_SECRET_KEY: secret,
    WEBHOOK_ALLOW_HTTP: 'true',
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    JOBS_POLL_INTERVAL_MS: '1000',
    RATE_LIMIT_PER_KEY_PER_MIN: '1000000',
    RATE_LIMIT_INVITES_PER_ORG_PER_HOUR: '10000000',
    PUBLIC_APP_URL: 'https://app.bench.test',
  };
  const boot = JSON.parse(
    execFileSync(
      process.execPath,
      ['dist/cli/bootstrap.js', '--org-name', 'Bench', '--owner-email', 'owner@bench.test', '--json'],
      {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    ).toString(),
  ) as { organization_id: string; api_key: string };

  const arrivals = new Map<string, number>();
  const sinceEvent = new Map<string, number>();
  let received = 0;
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      received++;
      const event = JSON.parse(body) as { created_at: string; data?: { description?: string } };
      if (event.data?.description) {
        arrivals.set(event.data.description, performance.now());
        // From the event's own timestamp (its transaction's now(), on this machine's clock) to arrival.
        sinceEvent.set(event.data.description, Date.now() - Date.parse(event.created_at));
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  const server = await startServer('app', 'dist/main.js', await freePort(), env);
  const headers = { 'x-api-key': boot.api_key, 'content-type': 'application/json' };
  const base = `${server.url}/v1/organizations/${boot.organization_id}`;
  try {
    let n = 0;
    const invite = () => [
      {
        method: 'POST' as const,
        path: `/v1/organizations/${boot.organization_id}/invitations`,
        headers,
        setupRequest: (req: object) => ({
          ...req,
          body: JSON.stringify({ email: `inv-${Date.now()}-${n++}@bench.test`, send_invitation: false }),
        }),
      },
    ];

    log('invite throughput, no endpoint');
    const none = summarize(
      [
        await runLoad({
          url: server.url,
          requests: invite(),
          connections: 20,
          durationSeconds: INVITE_SECONDS,
        }),
      ],
      [201],
    );
    const created = await fetch(`${base}/webhook-endpoints`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ url: hook }),
    });
    const endpoint = (await created.json()) as { id: string };
    log('invite throughput, one enabled endpoint receiving every event');
    const one = summarize(
      [
        await runLoad({
          url: server.url,
          requests: invite(),
          connections: 20,
          durationSeconds: INVITE_SECONDS,
        }),
      ],
      [201],
    );

    log(`event-to-delivery latency at ${RATE} events/s for ${LATENCY_SECONDS} s`);
    const sent = new Map<string, number>();
    const total = RATE * LATENCY_SECONDS;
    const started = performance.now();
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const tag = `bench-${i}`;
      sent.set(tag, performance.now());
      void fetch(`${base}/webhook-endpoints/${endpoint.id}`, {
        method: 'PATCH',
        headers,
        body: JSON.stringify({ description: tag }),
      });
    }
    const deadline = Date.now() + 60_000;
    while ([...sent.keys()].some((k) => !arrivals.has(k)) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const latencies = [...sent]
      .filter(([k]) => arrivals.has(k))
      .map(([k, at]) => arrivals.get(k)! - at)
      .sort((a, b) => a - b);
    const eventToDelivery = [...sinceEvent.values()].sort((a, b) => a - b);
    const results = {
      latency: {
        events: total,
        delivered: latencies.length,
        /** Event (its created_at) to the receiver: the queue's and the attempt's share. */
        p50Ms: percentile(eventToDelivery, 0.5),
        p99Ms: percentile(eventToDelivery, 0.99),
        /** From sending the PATCH: adds the request's own wait when the server is behind. */
        requestToDeliveryP50Ms: percentile(latencies, 0.5),
        requestToDeliveryP99Ms: percentile(latencies, 0.99),
      },
      invite: {
        noEndpointRps: none.rps,
        oneEndpointRps: one.rps,
        ratio: Math.round((one.rps / none.rps) * 100) / 100,
        noEndpoint: none,
        oneEndpoint: one,
      },
      receivedTotal: received,
      machine: { cpus: os.cpus().length, loadavg: os.loadavg() },
    };
    fs.writeFileSync('bench/results-webhooks.json', JSON.stringify(results, null, 2) + '\n');
    log(
      JSON.stringify({
        latency: results.latency,
        invite: { none: none.rps, one: one.rps, ratio: results.invite.ratio },
      }),
    );
  } finally {
    await server.stop();
    receiver.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
