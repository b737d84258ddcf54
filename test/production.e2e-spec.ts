import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { freePort } from '../src/database/embedded-postgres.js';
import { createTestDatabase } from './support/database.js';
import { tokenFromLink } from './support/invitations.js';
import { ensureBuilt, spawnNode } from './support/processes.js';
import { scrape, valueOf } from './support/prometheus.js';
import { TEST_INVITATION_SECRET, TEST_WEBHOOK_SECRET_KEY } from './support/test-app.js';

/** The built server as an operator runs it: `NODE_ENV=production node dist/main.js`. */
describe('NODE_ENV=production', () => {
  let dataDir: string;

  beforeAll(() => {
    ensureBuilt();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oi-prod-'));
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  // Each missing variable on its own: src/config/app-config.spec.ts.
  it.each([
    [{}, 'DATABASE_URL, INVITATION_SECRET, WEBHOOK_SECRET_KEY are required when NODE_ENV=production'],
    [
      {
        DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
        INVITATION_SECRET: TEST_INVITATION_SECRET,
        WEBHOOK_SECRET_KEY: TEST_WEBHOOK_SECRET_KEY,
        AUTO_BOOTSTRAP: 'true',
      },
      'AUTO_BOOTSTRAP cannot be true when NODE_ENV=production (use npm run bootstrap)',
    ],
  ])(
    'refuses to start with %j, in one line naming what is missing, touching nothing',
    async (env, message) => {
      const server = spawnNode(['dist/main.js'], {
        NODE_ENV: 'production',
        DATA_DIR: dataDir,
        DATABASE_URL: '',
        INVITATION_SECRET: '',
        WEBHOOK_SECRET_KEY: '',
        AUTO_BOOTSTRAP: '',
        ...env,
      });
      expect(await server.exited).toEqual({ code: 1, signal: null });
      expect(server.output()).toBe(`Invalid configuration: ${message}\n`);
      // No embedded database, no generated secret.
      expect(fs.readdirSync(dataDir)).toEqual([]);
    },
  );

  it('serves without an embedded database or a bootstrap, and never logs a key or token', async () => {
    const databaseUrl = await createTestDatabase();
    const [port, metricsPort] = [await freePort(), await freePort()];
    const base = `http://127.0.0.1:${port}`;
    const env = {
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      INVITATION_SECRET: TEST_INVITATION_SECRET,
      WEBHOOK_SECRET_KEY: TEST_WEBHOOK_SECRET_KEY,
      DATA_DIR: dataDir,
    };
    const server = spawnNode(['dist/main.js'], {
      ...env,
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      AUTO_BOOTSTRAP: '',
      MAIL_POLL_INTERVAL_MS: '50',
    });
    try {
      await server.waitFor(/Listening on/);
      // An empty store stays empty: the first organization comes from the bootstrap CLI.
      const db = new Client({ connectionString: databaseUrl });
      await db.connect();
      try {
        expect((await db.query('SELECT count(*)::int AS n FROM organizations')).rows[0].n).toBe(0);
      } finally {
        await db.end();
      }
      expect(fs.existsSync(path.join(dataDir, 'pg'))).toBe(false);

      // The CLI still prints the key it creates, on its own stdout (data, not a log).
      const out = execFileSync(
        process.execPath,
        ['dist/cli/bootstrap.js', '--org-name', 'Prod', '--owner-email', 'owner@prod.test', '--json'],
        {
          env: { ...process.env, ...env, LOG_LEVEL: 'info' },
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const { api_key: ownerKey, organization_id: orgId } = JSON.parse(out) as {
        api_key: string;
        organization_id: string;
      };
      expect(ownerKey).toMatch(/^oik_/);

      const json = { 'Content-Type': 'application/json' };
      expect(
        (await fetch(`${base}/v1/me`, { headers: { Authorization: `Bearer ${ownerKey}` } })).status,
      ).toBe(200);
      const invite = await fetch(`${base}/v1/organizations/${orgId}/invitations`, {
        method: 'POST',
        headers: { ...json, 'X-API-Key': ownerKey },
        body: JSON.stringify({ email: 'new.person@prod.test', send_invitation: true }),
      });
      expect(invite.status).toBe(201);
      const token = tokenFromLink(((await invite.json()) as { invitation_link: string }).invitation_link);
      expect((await fetch(`${base}/v1/invitations/lookup?token=${encodeURIComponent(token)}`)).status).toBe(
        200,
      );
      const accepted = await fetch(`${base}/v1/invitations/accept`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ token }),
      });
      expect(accepted.status).toBe(200);
      const issuedKey = ((await accepted.json()) as { api_key: string }).api_key;
      expect((await fetch(`${base}/v1/me`, { headers: { 'X-API-Key': issuedKey } })).status).toBe(200);

      // Metrics on their own port only.
      expect((await fetch(`${base}/metrics`)).status).toBe(404);
      const metrics = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(valueOf(metrics, 'db_pool_max_connections')).toBe(20);

      server.child.kill('SIGTERM');
      expect(await server.exited).toEqual({ code: 0, signal: null });
      const log = server.output();
      expect(log).toContain('"msg":"request completed"');
      expect(log).not.toContain('Owner API key');
      expect(log).not.toContain('embedded PostgreSQL');
      for (const secret of [ownerKey, issuedKey, token, token.split('.')[2], TEST_INVITATION_SECRET]) {
        expect({ secret: secret.slice(0, 12), found: log.includes(secret) }).toEqual({
          secret: secret.slice(0, 12),
          found: false,
        });
      }
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
  });
});
