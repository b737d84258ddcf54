import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';

export interface RunningServer {
  name: string;
  url: string;
  pid: number;
  /** Resident set size in bytes (VmRSS of the server process). */
  rss(): number;
  /** CPU time the server process has used so far, in milliseconds (user + system). */
  cpuMs(): number;
  /** Everything the server wrote (it runs with LOG_LEVEL=warn, so this stays small). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * The node flags `npm run start:prod` serves the app with (package.json, the one place they are
 * written). Every server the bench starts gets them, the baseline and the floor too, so a ratio
 * compares code, not runtime settings.
 */
export const START_FLAGS: string[] = (() => {
  const scripts = (JSON.parse(fs.readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> })
    .scripts;
  const match = /^node((?: --\S+)*) dist\/main\.js$/.exec(scripts['start:prod'] ?? '');
  if (!match) throw new Error(`package.json's start:prod is not "node [--flag …] dist/main.js"`);
  return match[1].split(' ').filter(Boolean);
})();

export function readRss(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

export function readCpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

async function waitUntilReady(
  url: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`server exited (${child.exitCode}) before it was ready:\n${output()}`);
    try {
      const res = await fetch(`${url}/health/ready`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server not ready within ${timeoutMs} ms:\n${output()}`);
}

/**
 * Runs `node <args>` as a child process (the load generator stays in this process), waits for
 * `/health/ready`, and returns a handle. `extraNodeArgs` lets a profile run add `--cpu-prof`.
 */
export async function startServer(
  name: string,
  script: string,
  port: number,
  env: Record<string, string>,
  extraNodeArgs: string[] = [],
): Promise<RunningServer> {
  const child = spawn(process.execPath, [...START_FLAGS, ...extraNodeArgs, script], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const collect = (chunk: Buffer) => {
    // Keep the tail only: a chatty server must not grow the runner's memory.
    out = (out + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(url, child, () => out);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    name,
    url,
    pid: child.pid!,
    rss: () => readRss(child.pid!),
    cpuMs: () => readCpuMs(child.pid!),
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
