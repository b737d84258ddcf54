import { Measurement } from './load.js';
import { Machine, machineLine } from './machine.js';
import type { StatementCount } from './statements.js';

export interface ScenarioResult {
  id: string;
  title: string;
  group: string;
  invitations: number;
  app: Measurement;
  baseline: Measurement;
  /** The floor (bench/floor-server.ts): the fewest statements the contract allows. */
  floor: Measurement;
  /** The app's RSS in bytes right after this scenario's runs. */
  appRss: number;
  /**
   * SQL statements per request on each side (pg_stat_statements), how the app's differ from the
   * baseline's, and the app's and the floor's statements with their calls; null when unavailable.
   */
  sql: {
    appPerRequest: number;
    baselinePerRequest: number;
    floorPerRequest: number | null;
    differences: string[];
    appStatements?: StatementCount[];
    floorStatements?: StatementCount[];
  } | null;
}

/** The app on a copy of the 10k database and on one grown to 1M, measured in alternating rounds. */
export interface GrowthResult {
  id: string;
  title: string;
  small: { invitations: number; app: Measurement };
  large: { invitations: number; app: Measurement };
}

/** The same app and scenario (seed 003 GET) with an OIDC access token and with an API key, alternating. */
export interface OidcResult {
  title: string;
  token: Measurement;
  apiKey: Measurement;
}

export interface MemoryResult {
  /** The app's RSS (bytes) after each tenth of the soak. */
  samples: { requests: number; rss: number }[];
  load: Measurement;
}

/** What one server wrote into its own org during the write scenarios (seeded acceptable invitations included). */
export interface WriteCounts {
  server: string;
  invitations: number;
  accepted: number;
  outbox: number;
  created_events: number;
  accept_events: number;
}

/** Issue 14: 1000-row bulk requests against 1000 single invites at 50 connections; Idempotency-Key's cost. */
export interface BulkResult {
  rowsPerRequest: number;
  bulk: { rows: number; seconds: number; rowsPerSecond: number; load: Measurement };
  single: { rows: number; seconds: number; rowsPerSecond: number; load: Measurement };
  idempotency: { withKey: Measurement; withoutKey: Measurement };
}

export interface Check {
  name: string;
  value: number;
  target: string;
  pass: boolean;
}

export interface Results {
  generatedAt: string;
  quick: boolean;
  machine: Machine;
  settings: { connections: number; durationSeconds: number; warmupSeconds: number; rounds: number };
  scenarios: ScenarioResult[];
  growth: GrowthResult[];
  oidc?: OidcResult | null;
  memory: MemoryResult | null;
  writes?: WriteCounts[];
  bulk?: BulkResult | null;
  checks: Check[];
  elapsedSeconds: number;
}

/** Issue 17: ≥ 0.85 of the same-SQL baseline everywhere; p99 ≤ 2 × the baseline's (issue 8). */
const BASELINE_TARGET = 0.85;
export const P99_TARGET = 2;
/** Issue 17: ≥ 0.7 of the floor's throughput (seed 003's GET ≥ 0.75), p99 ≤ 1.5 × the floor's. */
const FLOOR_TARGET = (id: string) => (id === 'get_by_email' ? 0.75 : 0.7);
export const FLOOR_P99_TARGET = 1.5;
export const GROWTH_TARGET = 1.2;
export const MEMORY_TARGET = 1.2;
/** Issue 15: a token costs a signature check (keys cached) where a key costs a hash: ≥ 0.9 of its throughput. */
export const OIDC_TARGET = 0.9;
/** Issue 14: a bulk request writes rows ≥ 10 × as fast as single invites; Idempotency-Key keeps ≥ 0.85 of the throughput. */
export const BULK_TARGET = 10;
export const IDEMPOTENCY_TARGET = 0.85;

const r2 = (n: number) => Math.round(n * 100) / 100;

/** Every target of issues 8 and 17 as a pass/fail line. */
export function evaluate(results: Omit<Results, 'checks'>): Check[] {
  const checks: Check[] = [];
  for (const s of results.scenarios) {
    const floorTarget = FLOOR_TARGET(s.id);
    const toFloor = s.app.rps / s.floor.rps;
    checks.push({
      name: `${s.id}: throughput / floor`,
      value: r2(toFloor),
      target: `≥ ${floorTarget}`,
      pass: toFloor >= floorTarget,
    });
    const p99Floor = s.app.p99Ms / Math.max(s.floor.p99Ms, 1);
    checks.push({
      name: `${s.id}: p99 / floor p99`,
      value: r2(p99Floor),
      target: `≤ ${FLOOR_P99_TARGET}`,
      pass: p99Floor <= FLOOR_P99_TARGET,
    });
    checks.push({
      name: `${s.id}: throughput / baseline`,
      value: r2(s.app.rps / s.baseline.rps),
      target: `≥ ${BASELINE_TARGET}`,
      pass: s.app.rps / s.baseline.rps >= BASELINE_TARGET,
    });
    const p99 = s.app.p99Ms / Math.max(s.baseline.p99Ms, 1);
    checks.push({
      name: `${s.id}: p99 / baseline p99`,
      value: r2(p99),
      target: `≤ ${P99_TARGET}`,
      pass: p99 <= P99_TARGET,
    });
    const unexpected = s.app.unexpected + s.baseline.unexpected + s.floor.unexpected;
    checks.push({
      name: `${s.id}: unexpected responses`,
      value: unexpected,
      target: '= 0',
      pass: unexpected === 0,
    });
    if (s.sql)
      checks.push({
        name: `${s.id}: SQL differences from baseline`,
        value: s.sql.differences.length,
        target: '= 0',
        pass: s.sql.differences.length === 0,
      });
  }
  for (const g of results.growth) {
    const ratio = g.large.app.p50Ms / g.small.app.p50Ms;
    checks.push({
      name: `${g.id}: p50 at ${count(g.large.invitations)} / at ${count(g.small.invitations)}`,
      value: r2(ratio),
      target: `≤ ${GROWTH_TARGET}`,
      pass: ratio <= GROWTH_TARGET,
    });
    const unexpected = g.small.app.unexpected + g.large.app.unexpected;
    checks.push({
      name: `${g.id} growth runs: unexpected responses`,
      value: unexpected,
      target: '= 0',
      pass: unexpected === 0,
    });
  }
  if (results.oidc) {
    const { token, apiKey } = results.oidc;
    const ratio = token.rps / apiKey.rps;
    checks.push({
      name: 'get_by_email: OIDC token / API key throughput',
      value: r2(ratio),
      target: `≥ ${OIDC_TARGET}`,
      pass: ratio >= OIDC_TARGET,
    });
    checks.push({
      name: 'OIDC runs: unexpected responses',
      value: token.unexpected + apiKey.unexpected,
      target: '= 0',
      pass: token.unexpected + apiKey.unexpected === 0,
    });
  }
  if (results.bulk) {
    const { bulk, single, idempotency } = results.bulk;
    const speedup = bulk.rowsPerSecond / single.rowsPerSecond;
    checks.push({
      name: 'bulk: rows/s / single invites rows/s',
      value: r2(speedup),
      target: `≥ ${BULK_TARGET}`,
      pass: speedup >= BULK_TARGET,
    });
    const ratio = idempotency.withKey.rps / idempotency.withoutKey.rps;
    checks.push({
      name: 'single invite: with / without Idempotency-Key throughput',
      value: r2(ratio),
      target: `≥ ${IDEMPOTENCY_TARGET}`,
      pass: ratio >= IDEMPOTENCY_TARGET,
    });
    const unexpected =
      bulk.load.unexpected +
      single.load.unexpected +
      idempotency.withKey.unexpected +
      idempotency.withoutKey.unexpected;
    checks.push({
      name: 'bulk runs: unexpected responses',
      value: unexpected,
      target: '= 0',
      pass: unexpected === 0,
    });
  }
  if (results.memory) {
    const { samples, load } = results.memory;
    const first = samples[0];
    const last = samples[samples.length - 1];
    const ratio = last.rss / first.rss;
    checks.push({
      name: `RSS after ${count(last.requests)} / after ${count(first.requests)} requests`,
      value: r2(ratio),
      target: `≤ ${MEMORY_TARGET}`,
      pass: ratio <= MEMORY_TARGET,
    });
    checks.push({
      name: 'memory soak: unexpected responses',
      value: load.unexpected,
      target: '= 0',
      pass: load.unexpected === 0,
    });
  }
  return checks;
}

export function count(n: number): string {
  if (n >= 1_000_000) return `${r2(n / 1_000_000)}M`;
  if (n >= 1000) return `${Math.round(n / 1000)}k`;
  return String(n);
}

const ms = (m: Measurement) => `${m.p50Ms} / ${m.p99Ms}`;
const rps = (m: Measurement) => Math.round(m.rps).toLocaleString('en-US');
const cpu = (m: Measurement) =>
  m.serverCpuMsPerRequest === undefined ? 'n/a' : m.serverCpuMsPerRequest.toFixed(2);
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

function table(header: string[], rows: (string | number)[][]): string {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

/** The report as Markdown: what `npm run bench` prints and what the README shows. */
export function renderMarkdown(results: Results): string {
  const out: string[] = [];
  out.push(`Machine: ${machineLine(results.machine)}.`);
  out.push(
    `Load: autocannon from the bench process, ${results.settings.connections} connections, ${results.settings.durationSeconds} s ` +
      `measured per server and scenario in ${results.settings.rounds} alternating rounds after a ${results.settings.warmupSeconds} s ` +
      `warm-up; the built app (\`dist/main.js\`), the baseline (bench/baseline-server.ts: Fastify + pg, the same SQL) and the ` +
      `floor (bench/floor-server.ts: Fastify + pg, the fewest statements the contract allows) each in its own process, on one ` +
      `PostgreSQL. ${results.generatedAt}${results.quick ? ' (BENCH_QUICK)' : ''}, ${results.elapsedSeconds} s.`,
  );
  out.push('');
  out.push(
    table(
      [
        'Scenario',
        'Invitations',
        'App req/s',
        'App p50 / p99 ms',
        'Floor req/s',
        'Floor p50 / p99 ms',
        'App / floor',
        'p99 / floor',
        'Baseline req/s',
        'App / baseline',
        'CPU ms/req app / baseline / floor',
        'App RSS',
        'SQL / request app · baseline · floor',
        'Unexpected',
      ],
      results.scenarios.map((s) => [
        s.title,
        count(s.invitations),
        rps(s.app),
        ms(s.app),
        rps(s.floor),
        ms(s.floor),
        r2(s.app.rps / s.floor.rps),
        r2(s.app.p99Ms / Math.max(s.floor.p99Ms, 1)),
        rps(s.baseline),
        r2(s.app.rps / s.baseline.rps),
        `${cpu(s.app)} / ${cpu(s.baseline)} / ${cpu(s.floor)}`,
        mb(s.appRss),
        s.sql
          ? `${r2(s.sql.appPerRequest)} · ${r2(s.sql.baselinePerRequest)}${s.sql.differences.length ? ' (differs!)' : ''} · ${s.sql.floorPerRequest === null ? 'n/a' : r2(s.sql.floorPerRequest)}`
          : 'n/a',
        s.app.unexpected + s.baseline.unexpected + s.floor.unexpected,
      ]),
    ),
  );
  const withStatements = results.scenarios.filter((s) => s.sql?.appStatements?.length);
  if (withStatements.length > 0) {
    out.push('');
    out.push(
      "<details><summary>The app's statements per request (pg_stat_statements over the parity requests)</summary>",
    );
    for (const s of withStatements) {
      const perRequest =
        s.sql!.appPerRequest /
        Math.max(
          1,
          s.sql!.appStatements!.reduce((sum, st) => sum + st.calls, 0),
        );
      out.push('');
      out.push(
        `${s.title}: ${r2(s.sql!.appPerRequest)} (floor ${s.sql!.floorPerRequest === null ? 'n/a' : r2(s.sql!.floorPerRequest)})`,
      );
      out.push('');
      for (const st of s.sql!.appStatements!)
        out.push(
          `- ${r2(st.calls * perRequest)}× \`${st.query.slice(0, 110)}${st.query.length > 110 ? '…' : ''}\``,
        );
    }
    out.push('');
    out.push('</details>');
  }
  if (results.growth.length > 0) {
    out.push('');
    out.push(
      table(
        [
          'Growth (app, side by side)',
          'p50 / p99 ms at small',
          'p50 / p99 ms at large',
          'p50 ratio',
          'req/s small → large',
        ],
        results.growth.map((g) => [
          `${g.title}: ${count(g.small.invitations)} → ${count(g.large.invitations)}`,
          ms(g.small.app),
          ms(g.large.app),
          r2(g.large.app.p50Ms / g.small.app.p50Ms),
          `${rps(g.small.app)} → ${rps(g.large.app)}`,
        ]),
      ),
    );
  }
  if (results.oidc) {
    const { title, token, apiKey } = results.oidc;
    out.push('');
    out.push(
      table(
        [
          'OIDC (app, side by side)',
          'Token req/s',
          'API key req/s',
          'Ratio',
          'Token p50 / p99 ms',
          'API key p50 / p99 ms',
          'CPU ms/req token / key',
        ],
        [
          [
            title,
            rps(token),
            rps(apiKey),
            r2(token.rps / apiKey.rps),
            ms(token),
            ms(apiKey),
            `${cpu(token)} / ${cpu(apiKey)}`,
          ],
        ],
      ),
    );
  }
  if (results.bulk) {
    const { rowsPerRequest, bulk, single, idempotency } = results.bulk;
    out.push('');
    out.push(
      table(
        ['Bulk (app)', 'Rows', 'Seconds', 'Rows/s', 'p50 / p99 ms per request', 'Ratio'],
        [
          [
            `${count(single.rows)} single invites, ${results.settings.connections} connections`,
            single.rows,
            r2(single.seconds),
            Math.round(single.rowsPerSecond),
            ms(single.load),
            1,
          ],
          [
            `${bulk.load.requests} bulk requests of ${count(rowsPerRequest)} rows, one at a time`,
            bulk.rows,
            r2(bulk.seconds),
            Math.round(bulk.rowsPerSecond),
            ms(bulk.load),
            r2(bulk.rowsPerSecond / single.rowsPerSecond),
          ],
        ],
      ),
    );
    out.push('');
    out.push(
      table(
        ['Idempotency-Key (single invite, side by side)', 'req/s', 'p50 / p99 ms', 'CPU ms/req', 'Ratio'],
        [
          [
            'without',
            rps(idempotency.withoutKey),
            ms(idempotency.withoutKey),
            cpu(idempotency.withoutKey),
            1,
          ],
          [
            'with a new key per request',
            rps(idempotency.withKey),
            ms(idempotency.withKey),
            cpu(idempotency.withKey),
            r2(idempotency.withKey.rps / idempotency.withoutKey.rps),
          ],
        ],
      ),
    );
  }
  if (results.memory) {
    const { samples, load } = results.memory;
    out.push('');
    out.push(
      `Memory (app RSS; reads with 1 in 10 an invite, ${Math.round(load.rps)} req/s): ` +
        samples.map((s) => `${mb(s.rss)} after ${count(s.requests)}`).join(', ') +
        ` (× ${r2(samples[samples.length - 1].rss / samples[0].rss)} from the first tenth to the end).`,
    );
  }
  if (results.writes?.length) {
    out.push('');
    out.push(
      table(
        [
          "Rows in each server's write org",
          'Invitations',
          'Accepted',
          'Outbox rows',
          'invitation.created events',
          'accepted + joined events',
        ],
        results.writes.map((w) => [
          w.server,
          w.invitations,
          w.accepted,
          w.outbox,
          w.created_events,
          w.accept_events,
        ]),
      ),
    );
  }
  out.push('');
  out.push(
    table(
      ['Check', 'Value', 'Target', ''],
      results.checks.map((c) => [c.name, c.value, c.target, c.pass ? 'pass' : '**FAIL**']),
    ),
  );
  return out.join('\n');
}
