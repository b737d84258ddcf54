/**
 * Where a server spends its CPU under one bench scenario: `node bench/.build/profile.js
 * [scenario] [app|baseline|floor] [seconds]` (after `npm run bench` has compiled the bench, or
 * `npx tsc -p bench/tsconfig.json`). Runs the server with --cpu-prof on a freshly seeded database
 * (10k invitations), drives it like the bench does, and prints its busy time by package and the
 * functions with the most self time. The raw profile stays in bench/.profiles/ for Chrome DevTools.
 *
 * `seconds` = `statements` instead counts the SQL the server sends for 100 requests of the
 * scenario, with PostgreSQL's mean execution time of each (pg_stat_statements; run it without
 * DATABASE_URL, on the embedded server that preloads it): the count, unlike req/s, does not depend
 * on what else the machine is doing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixturesFor, SCENARIOS_BY_ONE } from './bulk.js';
import { summarizeProfile } from './lib/cpu-profile.js';
import { Measurement, runLoad, summarize } from './lib/load.js';
import { signInvitationToken } from './lib/secrets.js';
import { seedAcceptable } from './lib/seed.js';
import {
  awaitQuietPartOfMinute,
  enableStatementStats,
  resetStatementStats,
  statementCounts,
  waitForIdleDatabase,
} from './lib/statements.js';
import { startServer } from './lib/servers.js';
import { APP_DIR, freePort, log, prepare, Prepared } from './lib/setup.js';
import { Fixtures, Scenario, Target } from './scenarios.js';

async function main(): Promise<void> {
  const [scenarioId = 'get_by_email', serverName = 'app', secondsText = '15'] = process.argv.slice(2);
  const scenario = SCENARIOS_BY_ONE.find((s) => s.id === scenarioId);
  if (
    !scenario ||
    (serverName !== 'app' && serverName !== 'baseline' && serverName !== 'floor') ||
    !/^(\d+|statements)$/.test(secondsText)
  ) {
    throw new Error(
      `usage: profile.js [${SCENARIOS_BY_ONE.map((s) => s.id).join('|')}] [app|baseline|floor] [seconds]`,
    );
  }
  const countOnly = secondsText === 'statements';
  const seconds = Number(secondsText);
  const prepared = await prepare({ invitations: 10_000, fillerOrgs: 999, bulkApiKeys: 5000 });
  const fx = fixturesFor(scenario, prepared.fx);
  const profileDir = path.resolve('bench/.profiles', `${scenario.id}-${serverName}-${prepared.runTag}`);
  try {
    const target: Target = {
      name: serverName,
      writeOrg: await prepared.writeOrg(`profile-${serverName}`),
      acceptTokens: [],
      acceptNext: 0,
    };
    if (scenario.id === 'accept') {
      const ids = await seedAcceptable(
        prepared.admin,
        target.writeOrg,
        prepared.ownerId,
        60_000,
        prepared.runTag,
      );
      target.acceptTokens = ids.map((id) => signInvitationToken(prepared.secret, id, 1));
    }
    const script = serverName === 'app' ? `${APP_DIR}/main.js` : `bench/.build/${serverName}-server.js`;
    const server = await startServer(
      serverName,
      script,
      await freePort(),
      prepared.env,
      countOnly ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir],
    );
    if (countOnly) {
      try {
        await printStatements(prepared, server.url, scenario, target, fx);
      } finally {
        await server.stop();
      }
      return;
    }
    let measured: Measurement;
    try {
      const options = { url: server.url, requests: scenario.requests(target, fx), connections: 50 };
      await runLoad({ ...options, durationSeconds: 3 });
      await waitForIdleDatabase(prepared.admin);
      const cpuBefore = server.cpuMs();
      const run = await runLoad({ ...options, durationSeconds: seconds });
      await waitForIdleDatabase(prepared.admin);
      run.serverCpuMs = server.cpuMs() - cpuBefore;
      measured = summarize([run], scenario.expect);
    } finally {
      await server.stop();
    }
    const [file] = fs.readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'));
    const summary = summarizeProfile(path.join(profileDir, file), seconds * 1000);
    const out = [
      `${scenario.title} on ${serverName}: ${Math.round(measured.rps)} req/s, p50 ${measured.p50Ms} ms, p99 ${measured.p99Ms} ms, ` +
        `${measured.serverCpuMsPerRequest?.toFixed(2)} CPU ms/request, statuses ${JSON.stringify(measured.statusCodes)}`,
      `profile: ${path.join(profileDir, file)} (${summary.sampledMs} ms sampled)`,
      '',
      'Busy time by owner:',
      ...summary.byOwner.slice(0, 20).map((o) => `  ${o.percent.toFixed(1).padStart(5)}%  ${o.owner}`),
      '',
      'Top self time:',
      ...summary.top.map((f) => `  ${f.percent.toFixed(1).padStart(5)}%  ${f.fn}`),
    ];
    process.stdout.write(out.join('\n') + '\n');
  } finally {
    await prepared.dispose();
  }
}

const COUNTED_REQUESTS = 100;

async function printStatements(
  prepared: Prepared,
  url: string,
  scenario: Scenario,
  target: Target,
  fx: Fixtures,
): Promise<void> {
  if (!(await enableStatementStats(prepared.admin)))
    throw new Error('pg_stat_statements is not loaded: run without DATABASE_URL (the embedded server)');
  const requests = { url, requests: scenario.requests(target, fx), connections: 10 };
  await runLoad({ ...requests, amount: 20 }); // prepared statements and caches warm
  await waitForIdleDatabase(prepared.admin);
  await awaitQuietPartOfMinute();
  await resetStatementStats(prepared.admin);
  const run = await runLoad({ ...requests, amount: COUNTED_REQUESTS });
  await waitForIdleDatabase(prepared.admin);
  const statements = await statementCounts(prepared.admin);
  const total = statements.reduce((sum, s) => sum + s.calls, 0);
  process.stdout.write(
    [
      `${scenario.title} on ${target.name}: ${(total / COUNTED_REQUESTS).toFixed(2)} statements per request, ` +
        `statuses ${JSON.stringify(run.statusCodes)}`,
      `calls  server ms per call  statement`,
      ...statements.map(
        (s) =>
          `${String(s.calls).padStart(6)}  ${(s.totalMs / s.calls).toFixed(3).padStart(8)}  ${s.query.slice(0, 240)}`,
      ),
    ].join('\n') + '\n',
  );
}

main().catch((error: unknown) => {
  log(`profile failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
