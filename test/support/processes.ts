import { ChildProcess, execFileSync, spawn } from 'node:child_process';

/** Builds dist/ if src/ changed (the process tests run the built server, as `npm start` does). */
export function ensureBuilt(): void {
  execFileSync(process.execPath, ['scripts/build.mjs', '--if-needed'], { stdio: 'inherit' });
}

export interface Spawned {
  child: ChildProcess;
  output: () => string;
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `node <args>` with the given environment, collecting stdout and stderr. */
export function spawnNode(args: string[], env: Record<string, string | undefined>): Spawned {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    listeners.forEach((l) => l());
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      listeners.forEach((l) => l());
      resolve({ code, signal });
    }),
  );
  const waitFor = (pattern: RegExp, timeoutMs = 60_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = out.match(pattern);
        if (match) {
          cleanup();
          resolve(match);
        } else if (child.exitCode !== null) {
          cleanup();
          reject(new Error(`process exited (${child.exitCode}) before printing ${pattern}:\n${out}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${pattern}:\n${out}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });
  return { child, output: () => out, waitFor, exited };
}

export interface Bootstrapped {
  apiKey: string;
  organizationId: string;
}

/**
 * `npm run bootstrap` as an operator runs it, through the built CLI (`--json`): the first
 * organization and its Owner's API key, for tests that then start the built server on `env`.
 */
export function bootstrapWithCli(
  env: Record<string, string | undefined>,
  orgName: string,
  ownerEmail: string,
): Bootstrapped {
  const out = execFileSync(
    process.execPath,
    ['dist/cli/bootstrap.js', '--org-name', orgName, '--owner-email', ownerEmail, '--json'],
    {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  const { api_key: apiKey, organization_id: organizationId } = JSON.parse(out) as {
    api_key: string;
    organization_id: string;
  };
  return { apiKey, organizationId };
}
