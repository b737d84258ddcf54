import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import type { Fixtures, Target } from '../scenarios.js';
import { BenchDatabase, provisionDatabase } from './postgres.js';
import {
  analyze,
  BulkTarget,
  bulkEmail,
  createFillerOrganizations,
  createOrganization,
  cursorAt,
  isReadOrgPending,
  seedBulkApiKeys,
  seedBulkInvitations,
} from './seed.js';
import { enableStatementStats } from './statements.js';

/**
 * The built app as it was when the bench started: `npm run bench` builds dist/ first, and the bench
 * runs a copy of it, so a rebuild of dist/ during the run (another checkout user, a test) cannot
 * swap the code under measurement halfway through.
 */
export const APP_DIR = 'bench/.build/app';

function snapshotBuiltApp(): void {
  if (!fs.existsSync('dist/main.js'))
    throw new Error('dist/ is missing: run `npm run build` (npm run bench does)');
  fs.rmSync(APP_DIR, { recursive: true, force: true });
  fs.cpSync('dist', APP_DIR, { recursive: true });
}

export const log = (line: string) =>
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A uniform sample of the read org's pending invitations among bulk rows [0, rows). */
export function pendingEmailSample(rows: number, size: number): string[] {
  const emails: string[] = [];
  if (rows <= size * 3) {
    for (let i = 0; i < rows; i++) if (isReadOrgPending(i)) emails.push(bulkEmail(i));
    return emails;
  }
  while (emails.length < size) {
    const i = Math.floor(Math.random() * rows);
    if (isReadOrgPending(i)) emails.push(bulkEmail(i));
  }
  return emails;
}

/** What the read scenarios need from a database holding bulk rows [0, rows). */
export async function readFixtures(
  client: pg.Client,
  secret: string,
  ownerKey: string,
  readOrgId: string,
  rows: number,
  runTag: string,
): Promise<Fixtures> {
  return {
    ownerKey,
    readOrgId,
    pendingEmails: pendingEmailSample(rows, 20_000),
    deepCursor: await cursorAt(client, secret, readOrgId, 0.9),
    runTag,
  };
}

export interface Prepared {
  db: BenchDatabase;
  admin: pg.Client;
  /** The environment both servers run with. */
  env: Record<string, string>;
  secret: string;
  runTag: string;
  ownerId: string;
  readOrgId: string;
  bulkTarget: BulkTarget;
  fx: Fixtures;
  statsEnabled: boolean;
  /** URLs of the requested copies, made right after seeding. */
  clones: Record<string, string>;
  /** A fresh org (with one department) for one target's writes. */
  writeOrg(name: string): Promise<Target['writeOrg']>;
  dispose(): Promise<void>;
}

export interface PrepareOptions {
  invitations: number;
  fillerOrgs: number;
  bulkApiKeys: number;
  /** Copies of the seeded database to make (e.g. for the growth tiers), by suffix. */
  clones?: string[];
}

/**
 * A fresh database, migrated and bootstrapped by the app's own CLI (dist/cli/bootstrap.js), with
 * `invitations` bulk invitations spread over the read org and the filler orgs.
 */
export async function prepare(options: PrepareOptions): Promise<Prepared> {
  snapshotBuiltApp();
  const runTag = Date.now().toString(36);
  const secret = randomBytes(33).toString('base64url');
  const db = await provisionDatabase(log);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oi-bench-data-'));
  let admin = new pg.Client({ connectionString: db.url });
  const dispose = async () => {
    await admin.end().catch(() => undefined);
    await db.dispose().catch((e: unknown) => log(`dropping the bench database failed: ${String(e)}`));
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const env: Record<string, string> = {
      DATABASE_URL: db.url,
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      MIGRATIONS_RUN: 'false',
      MAIL_WORKER_ENABLED: 'false',
      AUTO_BOOTSTRAP: 'false',
      INVITATION_SECRET: secret,
      WEBHOOK_SECRET_KEY: secret,
      PUBLIC_APP_URL: 'https://app.bench.test',
      // The bench measures the work, not the limiter's refusals.
      RATE_LIMIT_PER_KEY_PER_MIN: '1000000',
      RATE_LIMIT_PUBLIC_PER_MIN: '1000000',
      RATE_LIMIT_INVITES_PER_ORG_PER_HOUR: '10000000',
    };
    log("migrating and bootstrapping with the app's bootstrap CLI");
    const cli = [
      `${APP_DIR}/cli/bootstrap.js`,
      '--org-name',
      'Bench Read',
      '--owner-email',
      'owner@bench.test',
      '--slug',
      `bench-read-${runTag}`,
      '--json',
    ];
    const bootstrap = JSON.parse(
      execFileSync(process.execPath, cli, {
        env: { ...process.env, ...env, MIGRATIONS_RUN: 'true' },
        stdio: ['ignore', 'pipe', 'inherit'],
      }).toString(),
    ) as { organization_id: string; user_id: string; api_key: string };
    await admin.connect();
    const statsEnabled = await enableStatementStats(admin);
    if (!statsEnabled) log('pg_stat_statements is not loaded on this server: SQL parity is not checked');

    const fillers = await createFillerOrganizations(admin, options.fillerOrgs, bootstrap.user_id, runTag);
    const bulkTarget = { readOrgId: bootstrap.organization_id, fillerOrgIds: fillers, salt: runTag };
    log(`seeding ${options.invitations} invitations`);
    await seedBulkInvitations(admin, 0, options.invitations, bulkTarget);
    await seedBulkApiKeys(admin, options.bulkApiKeys, runTag);
    await analyze(admin);
    const clones: Record<string, string> = {};
    if (options.clones?.length) {
      // A template must have no connections while it is copied.
      await admin.end();
      for (const suffix of options.clones) clones[suffix] = await db.clone(suffix);
      admin = new pg.Client({ connectionString: db.url });
      await admin.connect();
    }

    return {
      db,
      admin,
      env,
      secret,
      runTag,
      ownerId: bootstrap.user_id,
      readOrgId: bootstrap.organization_id,
      bulkTarget,
      statsEnabled,
      clones,
      fx: await readFixtures(
        admin,
        secret,
        bootstrap.api_key,
        bootstrap.organization_id,
        options.invitations,
        runTag,
      ),
      writeOrg: async (name: string) => {
        const org = await createOrganization(admin, name, `${name}-${runTag}`, bootstrap.user_id);
        const departmentId = `dept_bench${randomBytes(8).toString('hex')}`;
        await admin.query('INSERT INTO departments (id, organization_id, name) VALUES ($1, $2, $3)', [
          departmentId,
          org.id,
          'Engineering',
        ]);
        return { ...org, departmentId };
      },
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}
