import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../src/database/embedded-postgres.js';
import { OutboxWorker } from '../src/mail/outbox-worker.js';
import { auth, createActiveMember, createWorld, uniqueEmail, World } from './support/fixtures.js';
import { expectError } from './support/envelope.js';
import { declared, histogram, labelValues, scrape, valueOf } from './support/prometheus.js';
import { createTestApp, TestApp } from './support/test-app.js';

const PER_KEY_LIMIT = 30;

type Scrape = Awaited<ReturnType<typeof scrape>>;

/** The request histogram's observation count for one label set (0 before the first observation). */
function requestCount(metrics: Scrape, labels: Record<string, string>): number {
  return histogram(metrics, 'http_request_duration_seconds', labels)?.count ?? 0;
}

/** Metrics are recorded as a response finishes; a scrape right after the answer may race it. */
async function eventually(check: () => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await check();
    } catch (error) {
      if (attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe('GET /metrics on METRICS_PORT', () => {
  let t: TestApp;
  let w: World;
  let metricsUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    t = await createTestApp({
      METRICS_PORT: String(port),
      HOST: '127.0.0.1',
      RATE_LIMIT_PER_KEY_PER_MIN: String(PER_KEY_LIMIT),
    });
    w = await createWorld(t);
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
  });
  afterAll(() => t.close());

  it('counts a request by method, route template and status, never by its raw URL', async () => {
    const ok = { method: 'GET', route: '/v1/organizations/:organization_id/roles', status_code: '200' };
    const forbidden = {
      method: 'POST',
      route: '/v1/organizations/:organization_id/roles',
      status_code: '403',
    };
    const unmatched = { method: 'GET', route: 'unmatched', status_code: '404' };
    const before = await scrape(metricsUrl);

    expect((await t.http().get(`/v1/organizations/${w.orgId}/roles`).set(auth(w.owner))).status).toBe(200);
    expect((await t.http().get(`/v1/organizations/${w.orgSlug}/roles`).set(auth(w.member))).status).toBe(200);
    expectError(
      await t.http().post(`/v1/organizations/${w.orgId}/roles`).set(auth(w.member)).send({ name: 'X' }),
      403,
      'INSUFFICIENT_PERMISSIONS',
    );
    expectError(await t.http().get(`/v1/no-such-route/${w.orgId}`), 404, 'NOT_FOUND');

    await eventually(async () => {
      const after = await scrape(metricsUrl);
      expect(requestCount(after, ok) - requestCount(before, ok)).toBe(2);
      expect(requestCount(after, forbidden) - requestCount(before, forbidden)).toBe(1);
      expect(requestCount(after, unmatched) - requestCount(before, unmatched)).toBe(1);
      const series = histogram(after, 'http_request_duration_seconds', ok)!;
      expect(series.sum).toBeGreaterThan(0);
      expect(series.buckets['+Inf']).toBe(series.count);
      for (const route of labelValues(after, 'http_request_duration_seconds', 'route')) {
        expect(route).not.toMatch(new RegExp(`${w.orgId}|${w.orgSlug}|no-such-route`));
      }
    });
  });

  it('exposes the database pool, and Node process metrics', async () => {
    const families = await scrape(metricsUrl);
    const inUse = valueOf(families, 'db_pool_connections', { state: 'in_use' });
    const idle = valueOf(families, 'db_pool_connections', { state: 'idle' });
    expect(inUse).toBeGreaterThanOrEqual(0);
    expect(inUse + idle).toBeGreaterThanOrEqual(1);
    expect(valueOf(families, 'db_pool_waiting_requests')).toBe(0);
    expect(valueOf(families, 'db_pool_max_connections')).toBe(20);
    expect(valueOf(families, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(valueOf(families, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(valueOf(families, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(declared(families, 'nodejs_eventloop_lag_seconds')).toBe(true);
  });

  it('counts email deliveries by outcome', async () => {
    const before = valueOf(await scrape(metricsUrl), 'email_deliveries_total', { outcome: 'sent' });
    const created = await t
      .http()
      .post(`/v1/organizations/${w.orgId}/invitations`)
      .set(auth(w.owner))
      .send({ email: uniqueEmail('metrics'), send_invitation: true });
    expect(created.status).toBe(201);
    expect(await t.app.get(OutboxWorker).drain()).toBe(1);
    expect(valueOf(await scrape(metricsUrl), 'email_deliveries_total', { outcome: 'sent' })).toBe(before + 1);
  });

  it('shows the job queue: a queued email is a queued job (its trigger adds it with the outbox row)', async () => {
    const before = await scrape(metricsUrl);
    const created = await t
      .http()
      .post(`/v1/organizations/${w.orgId}/invitations`)
      .set(auth(w.owner))
      .send({ email: uniqueEmail('jobs'), send_invitation: true });
    expect(created.status).toBe(201);
    const after = await scrape(metricsUrl);
    expect(valueOf(after, 'jobs_queued')).toBe(valueOf(before, 'jobs_queued') + 1);
    expect(valueOf(after, 'jobs_failed')).toBe(0);
  });

  it('counts rate-limit refusals by the budget that refused', async () => {
    const caller = await createActiveMember(t, w.orgId, [w.roles.member]);
    const before = await scrape(metricsUrl);
    const statuses: number[] = [];
    for (let i = 0; i <= PER_KEY_LIMIT; i++)
      statuses.push((await t.http().get('/v1/me').set(auth(caller))).status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(1);

    const created = await t
      .http()
      .post(`/v1/organizations/${w.orgId}/invitations`)
      .set(auth(w.owner))
      .send({ email: uniqueEmail('cooldown'), send_invitation: true });
    expectError(
      await t
        .http()
        .post(`/v1/organizations/${w.orgId}/invitations/${created.body.invitation_id}/resend`)
        .set(auth(w.owner)),
      429,
      'RATE_LIMITED',
    );

    const after = await scrape(metricsUrl);
    for (const scope of ['user', 'invitation_resend']) {
      expect(
        valueOf(after, 'rate_limit_refusals_total', { scope }) -
          valueOf(before, 'rate_limit_refusals_total', { scope }),
      ).toBe(1);
    }
  });

  it('is not served on the API port', async () => {
    expectError(await t.http().get('/metrics'), 404, 'NOT_FOUND');
  });
});

describe('the metrics listener', () => {
  it('is not started without METRICS_PORT, and closes with the app', async () => {
    const port = await freePort();
    const t = await createTestApp({ METRICS_PORT: String(port), HOST: '127.0.0.1' });
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
    await t.close();
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();

    const without = await createTestApp({ HOST: '127.0.0.1' });
    try {
      expect(without.config.metricsPort).toBeUndefined();
      await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
    } finally {
      await without.close();
    }
  });
});
