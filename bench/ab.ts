/**
 * Two builds of the app side by side on one freshly seeded database, in alternating rounds, so a
 * change's effect is not lost in the run-to-run noise of a shared machine:
 * `node bench/.build/ab.js <dir A> <dir B> [scenario,…] [seconds per round] [rounds]`, where each
 * dir holds a built app (a copy of `dist/`), e.g. one saved before a change and `dist` after it.
 * Prints, per scenario, each build's req/s, p50/p99 and CPU ms per request. `BENCH_AB_ENV_A` /
 * `_B` (JSON) add environment variables to one side (e.g. `{"DATABASE_POOL_MAX":"40"}`).
 * Write scenarios take turns on one organization (each invite a new email; each accept a token
 * of its own, seeded beforehand for both sides).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixturesFor, SCENARIOS_BY_ONE } from './bulk.js';
import { Run, runLoad, summarize } from './lib/load.js';
import { signInvitationToken } from './lib/secrets.js';
import { seedAcceptable } from './lib/seed.js';
import { startServer } from './lib/servers.js';
import { freePort, log, prepare } from './lib/setup.js';
import { waitForIdleDatabase } from './lib/statements.js';
import { Target } from './scenarios.js';

async function main(): Promise<void> {
  const [dirA, dirB, ids = 'get_by_email,list_first', secondsText = '4', roundsText = '4'] =
    process.argv.slice(2);
  if (!dirA || !dirB) throw new Error('usage: ab.js <dir A> <dir B> [scenario,…] [seconds] [rounds]');
  const scenarios = ids.split(',').map((id) => {
    const found = SCENARIOS_BY_ONE.find((s) => s.id === id);
    if (!found) throw new Error(`unknown scenario ${id}`);
    return found;
  });
  const seconds = Number(secondsText);
  const rounds = Number(roundsText);
  const prepared = await prepare({ invitations: 10_000, fillerOrgs: 999, bulkApiKeys: 5000 });
  const copies = ['a', 'b'].map((side) => path.resolve('bench/.build', `ab-${side}`));
  try {
    [dirA, dirB].forEach((dir, i) => {
      fs.rmSync(copies[i], { recursive: true, force: true });
      fs.cpSync(dir, copies[i], { recursive: true });
    });
    const extra = (side: string) =>
      JSON.parse(process.env[`BENCH_AB_ENV_${side}`] ?? '{}') as Record<string, string>;
    const servers = [
      await startServer('A', `${copies[0]}/main.js`, await freePort(), { ...prepared.env, ...extra('A') }),
      await startServer('B', `${copies[1]}/main.js`, await freePort(), { ...prepared.env, ...extra('B') }),
    ];
    try {
      const target: Target = {
        name: 'app',
        writeOrg: await prepared.writeOrg('ab'),
        acceptTokens: [],
        acceptNext: 0,
      };
      if (scenarios.some((scenario) => scenario.id === 'accept')) {
        // Both sides' rounds and warm-ups at up to 2,000 accepts a second.
        const count = 2 * (2 + rounds * seconds) * 2000;
        const ids = await seedAcceptable(
          prepared.admin,
          target.writeOrg,
          prepared.ownerId,
          count,
          prepared.runTag,
        );
        target.acceptTokens = ids.map((id) => signInvitationToken(prepared.secret, id, 1));
      }
      for (const scenario of scenarios) {
        const options = (url: string) => ({
          url,
          requests: scenario.requests(target, fixturesFor(scenario, prepared.fx)),
          connections: 50,
        });
        for (const server of servers) await runLoad({ ...options(server.url), durationSeconds: 2 });
        const runs: Run[][] = [[], []];
        for (let round = 0; round < rounds; round++) {
          for (const i of round % 2 === 0 ? [0, 1] : [1, 0]) {
            await waitForIdleDatabase(prepared.admin);
            const before = servers[i].cpuMs();
            const run = await runLoad({ ...options(servers[i].url), durationSeconds: seconds });
            run.serverCpuMs = servers[i].cpuMs() - before;
            runs[i].push(run);
          }
        }
        const [a, b] = runs.map((r) => summarize(r, scenario.expect));
        const line = (name: string, m: typeof a) =>
          `  ${name}: ${m.rps.toFixed(0)} req/s, p50 ${m.p50Ms} ms, p99 ${m.p99Ms} ms, ${m.serverCpuMsPerRequest?.toFixed(3)} CPU ms/request, unexpected ${m.unexpected}`;
        process.stdout.write(
          `${scenario.id}\n${line('A', a)}\n${line('B', b)}\n  B/A: req/s ${(b.rps / a.rps).toFixed(2)}, CPU ms/request ${((b.serverCpuMsPerRequest ?? 0) / (a.serverCpuMsPerRequest ?? 1)).toFixed(2)}\n`,
        );
      }
    } finally {
      for (const server of servers) await server.stop();
    }
  } finally {
    for (const copy of copies) fs.rmSync(copy, { recursive: true, force: true });
    await prepared.dispose();
  }
}

main().catch((error: unknown) => {
  log(`ab failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
