/**
 * `npm run bench`: the app against a framework-free baseline doing the same SQL and against the
 * floor (the fewest statements the contract allows), side by side in one run, plus growth
 * (10k → 1M invitations) and memory (RSS after 10k vs 100k requests).
 * bench/README.md describes the phases and the environment knobs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import pg from 'pg';
import { BULK_ROWS, bulkInvite, rowsRun, SINGLE_INVITE, singleInvite } from './bulk.js';
import { Measurement, Run, runLoad, summarize } from './lib/load.js';
import { describeMachine } from './lib/machine.js';
import { serverDescription } from './lib/postgres.js';
import {
  BulkResult,
  count,
  evaluate,
  GrowthResult,
  MemoryResult,
  OidcResult,
  renderMarkdown,
  Results,
  ScenarioResult,
  WriteCounts,
} from './lib/report.js';
import { startOidcIssuer } from './lib/oidc-issuer.js';
import { signInvitationToken } from './lib/secrets.js';
import {
  analyze,
  countInvitations,
  seedAcceptable,
  seedBulkInvitations,
  withoutForeignKeyChecks,
} from './lib/seed.js';
import { RunningServer, startServer } from './lib/servers.js';
import { APP_DIR, freePort, log, prepare, Prepared, readFixtures } from './lib/setup.js';
import {
  awaitQuietPartOfMinute,
  diffStatements,
  resetStatementStats,
  StatementCount,
  statementCounts,
  waitForIdleDatabase,
} from './lib/statements.js';
import { Fixtures, Scenario, SCENARIOS, soakRequests, Target } from './scenarios.js';

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new Error(`${name} must be a whole number (got "${raw}")`);
  return Number(raw);
}

const QUICK = process.env.BENCH_QUICK === '1';
/** `BENCH_ONLY=bulk`: only the bulk and Idempotency-Key phase (a few minutes). */
const ONLY_BULK = process.env.BENCH_ONLY === 'bulk';
/** `BENCH_ONLY=memory`: only the memory soak (a fresh app process, about a minute and a half). */
const ONLY_MEMORY = process.env.BENCH_ONLY === 'memory';
/** BENCH_READS_ONLY=1: only the three read scenarios, printed as one line each (no report files). */
const READS_ONLY = process.env.BENCH_READS_ONLY === '1';
const SETTINGS = {
  connections: intEnv('BENCH_CONNECTIONS', 50),
  /** Measured seconds per server and scenario, split into ROUNDS alternating runs. */
  durationSeconds: intEnv('BENCH_DURATION', QUICK ? 6 : 12),
  warmupSeconds: intEnv('BENCH_WARMUP', QUICK ? 2 : 3),
  // Even, so each side runs first as often as last (A B C, C B A, …): with 3 rounds, the side that
  // opened the first and last round took what the phase before left behind (measured: the single
  // invite with or without Idempotency-Key, 0.76 one way round, 0.91 the other).
  rounds: intEnv('BENCH_ROUNDS', 4),
};
const SMALL_TIER = 10_000;
const LARGE_TIER = intEnv('BENCH_LARGE_TIER', QUICK || ONLY_BULK || ONLY_MEMORY ? 0 : 1_000_000);
/** Bulk requests of BULK_ROWS rows measured one at a time, against BULK_ROWS single invites. */
const BULK_REQUESTS = intEnv('BENCH_BULK_REQUESTS', 5);
const SOAK_TOTAL = intEnv('BENCH_SOAK_REQUESTS', QUICK ? 20_000 : 100_000);
const SOAK_SAMPLES = 10;
const PARITY_REQUESTS = 100;
/** More than the fastest server accepts in its warm-up and measured time (the floor: ~1,600/s), so none runs out of tokens. */
const ACCEPTABLE_PER_TARGET = 40_000;
const OUTPUT = path.join(
  'bench',
  ONLY_BULK ? 'results-bulk' : ONLY_MEMORY ? 'results-memory' : QUICK ? 'results-quick' : 'results',
);

/** One server with the data it is driven with. */
interface Side {
  server: RunningServer;
  target: Target;
  fx: Fixtures;
}

class Bench {
  constructor(
    readonly admin: pg.Client,
    readonly statsEnabled: boolean,
  ) {}

  /**
   * PARITY_REQUESTS requests on each side, counting the SQL each sent (pg_stat_statements): the app
   * and the baseline must send the same statements; the floor's count is shown beside them.
   */
  async parity(scenario: Scenario, sides: Side[]): Promise<ScenarioResult['sql']> {
    if (!this.statsEnabled) return null;
    const seen: { perRequest: number; statements: StatementCount[] }[] = [];
    for (const side of sides) {
      await waitForIdleDatabase(this.admin);
      await awaitQuietPartOfMinute();
      await resetStatementStats(this.admin);
      const run = await runLoad({
        url: side.server.url,
        requests: scenario.requests(side.target, side.fx),
        connections: 10,
        amount: PARITY_REQUESTS,
      });
      await waitForIdleDatabase(this.admin);
      const statements = await statementCounts(this.admin);
      const requests = Object.values(run.statusCodes).reduce((a, b) => a + b, 0);
      seen.push({
        perRequest: statements.reduce((sum, s) => sum + s.calls, 0) / Math.max(requests, 1),
        statements,
      });
    }
    return {
      appPerRequest: seen[0].perRequest,
      baselinePerRequest: seen[1].perRequest,
      floorPerRequest: seen[2]?.perRequest ?? null,
      differences: diffStatements(seen[0].statements, seen[1].statements),
      appStatements: seen[0].statements,
      floorStatements: seen[2]?.statements ?? [],
    };
  }

  /**
   * Warms each side up, then measures them in alternating rounds (A B, B A, A B, …) so that a
   * change in the machine's background load hits both alike.
   */
  async measure(scenario: Scenario, sides: Side[]): Promise<Measurement[]> {
    const options = (side: Side) => ({
      url: side.server.url,
      requests: scenario.requests(side.target, side.fx),
      connections: SETTINGS.connections,
    });
    for (const side of sides) {
      await waitForIdleDatabase(this.admin);
      await runLoad({ ...options(side), durationSeconds: SETTINGS.warmupSeconds });
    }
    const runs: Run[][] = sides.map(() => []);
    const seconds = Math.max(1, Math.round(SETTINGS.durationSeconds / SETTINGS.rounds));
    for (let round = 0; round < SETTINGS.rounds; round++) {
      const order = round % 2 === 0 ? sides.map((_, i) => i) : sides.map((_, i) => sides.length - 1 - i);
      for (const i of order) {
        await waitForIdleDatabase(this.admin);
        const cpuBefore = sides[i].server.cpuMs();
        const run = await runLoad({ ...options(sides[i]), durationSeconds: seconds });
        await waitForIdleDatabase(this.admin); // the server's backlog is part of this run's CPU
        run.serverCpuMs = sides[i].server.cpuMs() - cpuBefore;
        runs[i].push(run);
      }
    }
    return sides.map((side, i) => {
      const m = summarize(runs[i], scenario.expect);
      log(
        `  ${scenario.id} on ${side.server.name}: ${Math.round(m.rps)} req/s, p50 ${m.p50Ms} ms, p99 ${m.p99Ms} ms, ` +
          `${m.serverCpuMsPerRequest?.toFixed(2)} CPU ms/request, unexpected ${m.unexpected} ${JSON.stringify(m.statusCodes)}`,
      );
      return m;
    });
  }

  async compare(scenario: Scenario, sides: Side[], invitations: number): Promise<ScenarioResult> {
    log(`${scenario.title} (${count(invitations)} invitations)`);
    const sql = await this.parity(scenario, sides);
    if (sql?.differences.length)
      log(`  SQL differs from the baseline:\n    ${sql.differences.join('\n    ')}`);
    const [app, baseline, floor] = await this.measure(scenario, sides);
    const appRss = sides[0].server.rss();
    return {
      id: scenario.id,
      title: scenario.title,
      group: scenario.group,
      invitations,
      app,
      baseline,
      floor,
      appRss,
      sql,
    };
  }
}

/** Rows in one target's write org after the write scenarios (invitations, their outbox rows and events). */
async function writeCounts(admin: pg.Client, target: Target): Promise<WriteCounts> {
  const { rows } = await admin.query<Omit<WriteCounts, 'server'>>(
    `/* bench */ SELECT (SELECT count(*)::int FROM invitations WHERE organization_id = $1) AS invitations,
            (SELECT count(*)::int FROM invitations WHERE organization_id = $1 AND status = 'accepted') AS accepted,
            (SELECT count(*)::int FROM email_outbox x JOIN invitations i ON i.id = x.invitation_id WHERE i.organization_id = $1) AS outbox,
            (SELECT count(*)::int FROM events WHERE organization_id = $1 AND type = 'invitation.created') AS created_events,
            (SELECT count(*)::int FROM events WHERE organization_id = $1 AND type IN ('invitation.accepted', 'member.joined')) AS accept_events`,
    [target.writeOrg.id],
  );
  return { server: target.name, ...rows[0] };
}

/**
 * Issue 14: BULK_ROWS single invites at SETTINGS.connections against BULK_REQUESTS bulk requests of
 * BULK_ROWS rows (one at a time), in rows/s; then the single invite with and without an
 * Idempotency-Key, side by side in alternating rounds.
 */
async function benchBulk(
  bench: Bench,
  app: RunningServer,
  target: Target,
  fx: Fixtures,
): Promise<BulkResult> {
  log(
    `bulk: ${count(BULK_ROWS)} single invites at ${SETTINGS.connections} connections vs ${BULK_REQUESTS} bulk requests of ${count(BULK_ROWS)} rows`,
  );
  // Warm-up of both paths.
  await rowsRun(app, singleInvite(target, fx), 200, SETTINGS.connections, 1);
  await rowsRun(app, bulkInvite(target, fx), 1, 1, BULK_ROWS);
  await waitForIdleDatabase(bench.admin);
  const single = await rowsRun(app, singleInvite(target, fx), BULK_ROWS, SETTINGS.connections, 1);
  await waitForIdleDatabase(bench.admin);
  const bulk = await rowsRun(app, bulkInvite(target, fx), BULK_REQUESTS, 1, BULK_ROWS);
  log(
    `  single: ${Math.round(single.rowsPerSecond)} rows/s (p50 ${single.load.p50Ms} ms); bulk: ${Math.round(bulk.rowsPerSecond)} rows/s ` +
      `(p50 ${bulk.load.p50Ms} ms per ${count(BULK_ROWS)} rows) ${JSON.stringify(bulk.load.statusCodes)}`,
  );
  log('single invite with and without Idempotency-Key');
  const [withKey, withoutKey] = await bench.measure(SINGLE_INVITE, [
    { server: app, target, fx: { ...fx, idempotencyKey: true } },
    { server: app, target, fx },
  ]);
  return { rowsPerRequest: BULK_ROWS, bulk, single, idempotency: { withKey, withoutKey } };
}

type StartServer = (name: string, script: string, env: Record<string, string>) => Promise<RunningServer>;

/** Memory: a fresh app process; RSS after each tenth of the soak (SOAK_TOTAL requests). */
async function benchMemory(
  start: StartServer,
  stop: (server: RunningServer) => Promise<void>,
  prepared: Prepared,
): Promise<MemoryResult> {
  log(`memory soak: ${count(SOAK_TOTAL)} requests (reads, 1 in 10 an invite) on a fresh app process`);
  const soakApp = await start('app-soak', `${APP_DIR}/main.js`, prepared.env);
  const soakTarget: Target = {
    name: 'app',
    writeOrg: await prepared.writeOrg('bench-soak'),
    acceptTokens: [],
    acceptNext: 0,
  };
  const soakRuns: Run[] = [];
  const samples: MemoryResult['samples'] = [];
  for (let i = 0; i < SOAK_SAMPLES; i++) {
    soakRuns.push(
      await runLoad({
        url: soakApp.url,
        requests: soakRequests(soakTarget, prepared.fx),
        connections: SETTINGS.connections,
        amount: SOAK_TOTAL / SOAK_SAMPLES,
      }),
    );
    samples.push({ requests: summarize(soakRuns, [200, 201]).requests, rss: soakApp.rss() });
  }
  log(
    `  RSS MB by requests: ${samples.map((s) => `${count(s.requests)} ${Math.round(s.rss / 1048576)}`).join(', ')}`,
  );
  await stop(soakApp);
  return { samples, load: summarize(soakRuns, [200, 201]) };
}

/** Writes and prints the report; the exit code says whether every target was met. */
function report(
  parts: Pick<Results, 'machine' | 'scenarios' | 'growth' | 'oidc' | 'memory' | 'writes' | 'bulk'> & {
    started: number;
  },
): number {
  const { started, ...measured } = parts;
  const partial = {
    generatedAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    quick: QUICK,
    settings: SETTINGS,
    ...measured,
    elapsedSeconds: Math.round((Date.now() - started) / 1000),
  };
  const results: Results = { ...partial, checks: evaluate(partial) };
  const markdown = renderMarkdown(results);
  fs.writeFileSync(`${OUTPUT}.json`, JSON.stringify(results, null, 2) + '\n');
  fs.writeFileSync(`${OUTPUT}.md`, markdown + '\n');
  process.stdout.write(
    `\n${markdown}\n\nWritten to ${OUTPUT}.json and ${OUTPUT}.md in ${results.elapsedSeconds} s.\n`,
  );
  return results.checks.every((c) => c.pass) ? 0 : 1;
}

/** Grows a copy of the database to LARGE_TIER invitations, before anything is measured. */
async function growLargeTier(
  prepared: Prepared,
  url: string,
): Promise<{ fx: Fixtures; invitations: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const missing = LARGE_TIER - (await countInvitations(client));
    log(`growing a copy of the database to ${count(LARGE_TIER)} invitations`);
    const started = Date.now();
    await withoutForeignKeyChecks(client, async () => {
      const chunk = 100_000;
      for (let from = SMALL_TIER; from < SMALL_TIER + missing; from += chunk) {
        await seedBulkInvitations(
          client,
          from,
          Math.min(from + chunk, SMALL_TIER + missing),
          prepared.bulkTarget,
        );
      }
    });
    await analyze(client);
    log(`  grown in ${Math.round((Date.now() - started) / 1000)} s`);
    const fx = await readFixtures(
      client,
      prepared.secret,
      prepared.fx.ownerKey,
      prepared.readOrgId,
      SMALL_TIER + missing,
      prepared.runTag,
    );
    return { fx, invitations: await countInvitations(client) };
  } finally {
    await client.end();
  }
}

async function main(): Promise<number> {
  const started = Date.now();
  const prepared = await prepare({
    invitations: SMALL_TIER,
    fillerOrgs: 999,
    bulkApiKeys: 5000,
    clones: LARGE_TIER > 0 ? ['small', 'large'] : [],
  });
  const { admin, env } = prepared;
  const machine = describeMachine(await serverDescription(prepared.db.url));
  log(
    `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; PostgreSQL ${machine.postgres}`,
  );
  const running: RunningServer[] = [];
  const start = async (
    name: string,
    script: string,
    serverEnv: Record<string, string>,
    nodeArgs: string[] = [],
  ) => {
    const server = await startServer(name, script, await freePort(), serverEnv, nodeArgs);
    running.push(server);
    return server;
  };
  const stop = async (server: RunningServer) => {
    await server.stop();
    running.splice(running.indexOf(server), 1);
  };
  let interrupted = false;
  let stopIssuer: (() => Promise<void>) | undefined;
  const cleanup = async () => {
    for (const server of running.splice(0)) await server.stop().catch(() => undefined);
    await stopIssuer?.();
    await prepared.dispose();
  };
  process.once('SIGINT', () => {
    interrupted = true;
    log('interrupted: stopping servers');
    void cleanup().finally(() => process.exit(130));
  });

  try {
    if (ONLY_MEMORY) {
      const memory = await benchMemory(start, stop, prepared);
      return report({ started, machine, scenarios: [], growth: [], oidc: null, memory, bulk: null });
    }
    const large = LARGE_TIER > 0 ? await growLargeTier(prepared, prepared.clones.large) : undefined;

    const cpuProf =
      process.env.BENCH_CPU_PROF === '1'
        ? ['--cpu-prof', '--cpu-prof-dir', path.resolve('bench/.profiles')]
        : [];
    // The app also accepts OIDC tokens (the OIDC scenario); an API key's path is the same with or without.
    const issuer = await startOidcIssuer();
    stopIssuer = issuer.stop;
    const app = await start('app', `${APP_DIR}/main.js`, { ...env, ...issuer.env }, cpuProf);
    if (ONLY_BULK) {
      const target: Target = {
        name: 'app',
        writeOrg: await prepared.writeOrg('bench-bulk'),
        acceptTokens: [],
        acceptNext: 0,
      };
      const bulk = await benchBulk(new Bench(admin, false), app, target, prepared.fx);
      await stop(app);
      return report({ started, machine, scenarios: [], growth: [], oidc: null, memory: null, bulk });
    }
    const baseline = await start('baseline', 'bench/.build/baseline-server.js', env);
    const floor = await start('floor', 'bench/.build/floor-server.js', env);
    const appTarget: Target = {
      name: 'app',
      writeOrg: await prepared.writeOrg('bench-app'),
      acceptTokens: [],
      acceptNext: 0,
    };
    const baselineTarget: Target = {
      name: 'baseline',
      writeOrg: await prepared.writeOrg('bench-baseline'),
      acceptTokens: [],
      acceptNext: 0,
    };
    const floorTarget: Target = {
      name: 'floor',
      writeOrg: await prepared.writeOrg('bench-floor'),
      acceptTokens: [],
      acceptNext: 0,
    };
    const sides: Side[] = [
      { server: app, target: appTarget, fx: prepared.fx },
      { server: baseline, target: baselineTarget, fx: prepared.fx },
      { server: floor, target: floorTarget, fx: prepared.fx },
    ];
    const bench = new Bench(admin, prepared.statsEnabled);
    const byId = Object.fromEntries(SCENARIOS.map((s) => [s.id, s]));

    // Reads first, while the database holds exactly the small tier.
    const scenarios: ScenarioResult[] = [];
    const invitationsNow = await countInvitations(admin);
    for (const id of ['get_by_email', 'list_first', 'list_deep'])
      scenarios.push(await bench.compare(byId[id], sides, invitationsNow));
    if (READS_ONLY) {
      // A short iteration loop for the read path: the three reads, one line per server, nothing else.
      for (const s of scenarios) {
        const line = (m: Measurement) =>
          `${m.rps.toFixed(0)} req/s p50 ${m.p50Ms} p99 ${m.p99Ms} cpu ${m.serverCpuMsPerRequest?.toFixed(2)} ms/req`;
        process.stdout.write(
          `${s.id}: app ${line(s.app)} | baseline ${line(s.baseline)} | floor ${line(s.floor)} | app/floor ${(s.app.rps / s.floor.rps).toFixed(2)} app/baseline ${(s.app.rps / s.baseline.rps).toFixed(2)}${s.sql ? ` | sql app ${s.sql.appPerRequest} baseline ${s.sql.baselinePerRequest} floor ${s.sql.floorPerRequest} diffs ${s.sql.differences.length}` : ''}\n`,
        );
      }
      return 0;
    }

    // OIDC: seed 003's GET on the same app with the Owner's access token and with their API key.
    log(`${byId.get_by_email.title}: OIDC access token vs API key, on the app`);
    const token = await issuer.token(
      'bench-owner',
      (
        await admin.query<{ email: string }>('SELECT email FROM users WHERE id = $1 /* bench */', [
          prepared.ownerId,
        ])
      ).rows[0].email,
    );
    const [withToken, withKey] = await bench.measure(byId.get_by_email, [
      { server: app, target: appTarget, fx: { ...prepared.fx, bearerToken: token } },
      { server: app, target: appTarget, fx: prepared.fx },
    ]);
    const oidc: OidcResult = {
      title: `${byId.get_by_email.title}, ${count(invitationsNow)}`,
      token: withToken,
      apiKey: withKey,
    };

    // Writes: each side invites into its own org and accepts its own invitations.
    for (const target of [appTarget, baselineTarget, floorTarget]) {
      const ids = await seedAcceptable(
        admin,
        target.writeOrg,
        prepared.ownerId,
        ACCEPTABLE_PER_TARGET,
        `${target.name}-${prepared.runTag}`,
      );
      target.acceptTokens = ids.map((id) => signInvitationToken(prepared.secret, id, 1));
    }
    await analyze(admin);
    for (const id of ['invite_v1', 'invite_v2', 'accept'])
      scenarios.push(await bench.compare(byId[id], sides, await countInvitations(admin)));
    // What each side wrote for its requests: a fair floor writes every row the contract requires.
    const writes: WriteCounts[] = [];
    for (const target of [appTarget, baselineTarget, floorTarget])
      writes.push(await writeCounts(admin, target));
    log(`  rows written per org: ${JSON.stringify(writes)}`);
    const bulkTarget: Target = {
      name: 'app',
      writeOrg: await prepared.writeOrg('bench-bulk'),
      acceptTokens: [],
      acceptNext: 0,
    };
    const bulk = await benchBulk(bench, app, bulkTarget, prepared.fx);
    for (const server of [app, baseline, floor]) {
      const tail = server.output().trim();
      if (tail && !tail.startsWith('Listening on')) log(`${server.name} wrote:\n${tail.slice(-2000)}`);
    }
    await stop(app);
    await stop(baseline);
    await stop(floor);

    const memory = await benchMemory(start, stop, prepared);

    // Growth: the same reads on a copy of the small tier and on the grown copy, side by side.
    const growth: GrowthResult[] = [];
    if (large) {
      // No job runner: the grown copy holds tens of thousands of pending invitations past their
      // expiry, which the sweeper (every minute) would be settling through the measurement, so the
      // database never went idle between rounds (seen 2026-12-01). Growth compares read latency only.
      const readsOnly = { ...env, JOBS_ENABLED: 'false' };
      const smallApp = await start('app-10k', `${APP_DIR}/main.js`, {
        ...readsOnly,
        DATABASE_URL: prepared.clones.small,
      });
      const largeApp = await start(`app-${count(large.invitations)}`, `${APP_DIR}/main.js`, {
        ...readsOnly,
        DATABASE_URL: prepared.clones.large,
      });
      const growthSides: Side[] = [
        { server: smallApp, target: appTarget, fx: prepared.fx },
        { server: largeApp, target: appTarget, fx: large.fx },
      ];
      const growthBench = new Bench(admin, false);
      for (const scenario of SCENARIOS.filter((s) => s.growth)) {
        log(`${scenario.title}: ${count(SMALL_TIER)} vs ${count(large.invitations)} invitations`);
        const [small, big] = await growthBench.measure(scenario, growthSides);
        growth.push({
          id: scenario.id,
          title: scenario.title,
          small: { invitations: SMALL_TIER, app: small },
          large: { invitations: large.invitations, app: big },
        });
      }
      await stop(smallApp);
      await stop(largeApp);
    }

    return report({ started, machine, scenarios, growth, oidc, memory, writes, bulk });
  } finally {
    if (!interrupted) await cleanup();
  }
}

// Explicit exit: the embedded PostgreSQL's exit hook would otherwise end the process with 0.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
