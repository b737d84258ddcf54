import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { freePort } from '../../src/database/embedded-postgres.js';
import { createTestDatabase } from '../support/database.js';
import { eventually } from '../support/outbox-fixtures.js';
import { refusedPort } from '../support/ports.js';
import { bootstrapWithCli, ensureBuilt, Spawned, spawnNode } from '../support/processes.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TEST_INVITATION_SECRET } from '../support/test-app.js';

/** An SMTP password with characters that URL-encoding changes, so both of its spellings are searched for. */
const SMTP_PASSWORD = 'p@ss:w0rd/Sekr3t%21';
const SMTP_USER = 'mailer';

/**
 * The built server, at the default log level, with two dependencies failing: Redis does not answer,
 * and the SMTP server refuses the login with a reply that echoes the password (as some do). What
 * the service promises (SECURITY.md): the rate limit fails open and says so in the log; the SMTP
 * password appears neither in what is stored about the failure nor anywhere in the log.
 */
describe('what the service says when its dependencies fail', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oi-deps-'));
  let server: Spawned;
  let sink: SmtpSink;
  let db: Client;
  let base: string;
  let ownerKey: string;
  let orgId: string;

  beforeAll(async () => {
    ensureBuilt();
    sink = await SmtpSink.start({
      login: (username, password) => `535 5.7.8 login refused for ${username} with password ${password}`,
    });
    const databaseUrl = await createTestDatabase();
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
    const env = { DATABASE_URL: databaseUrl, DATA_DIR: dataDir, INVITATION_SECRET: TEST_INVITATION_SECRET };
    ({ apiKey: ownerKey, organizationId: orgId } = bootstrapWithCli(env, 'Deps', 'owner@deps.test'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = spawnNode(['dist/main.js'], {
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      AUTO_BOOTSTRAP: 'false',
      REDIS_URL: `redis://127.0.0.1:${await refusedPort()}`,
      RATE_LIMIT_PER_KEY_PER_MIN: '2',
      SMTP_URL: `smtp://${SMTP_USER}:${encodeURIComponent(SMTP_PASSWORD)}@127.0.0.1:${sink.port}`,
      MAIL_POLL_INTERVAL_MS: '50',
      MAIL_RETRY_BASE_MS: '50',
      MAIL_MAX_ATTEMPTS: '2',
    });
    await server.waitFor(/Listening on/);
  }, 120_000);
  afterAll(async () => {
    if (server?.child.exitCode === null) server.child.kill('SIGKILL');
    await db?.end();
    await sink?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves past the rate limit while Redis is away (fail open), logs that, and never stores or logs the SMTP password', async () => {
    const headers = { 'X-API-Key': ownerKey, 'Content-Type': 'application/json' };
    // Twice the per-key budget: nothing counts while Redis is away.
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${base}/v1/me`, { headers })).status);
    expect(statuses).toEqual([200, 200, 200, 200]);

    const invite = await fetch(`${base}/v1/organizations/${orgId}/invitations`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ email: 'invitee@deps.test' }),
    });
    expect(invite.status).toBe(201);
    const { invitation_id: invitationId } = (await invite.json()) as { invitation_id: string };
    // Both attempts refused at the login: the message is given up.
    const row = await eventually(
      async () => {
        const { rows } = await db.query(
          `SELECT o.status, o.attempts, o.last_error, i.email_status, i.email_last_error
           FROM email_outbox o JOIN invitations i ON i.id = o.invitation_id WHERE o.invitation_id = $1`,
          [invitationId],
        );
        return rows[0]?.status === 'failed' && rows[0];
      },
      30_000,
      'the email to be given up',
    );
    expect(row).toMatchObject({ attempts: 2, email_status: 'failed' });
    // The refusal is recorded, with the password blanked out.
    expect(row.last_error).toContain(`535 5.7.8 login refused for ${SMTP_USER} with password [redacted]`);
    expect(row.email_last_error).toBe(row.last_error);

    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    const log = server.output();
    expect(log).toContain('Redis rate-limit storage unavailable, not limiting');
    expect(log).toContain('email failed, giving up');

    const { rows: everything } = await db.query(
      `SELECT string_agg(x::text, ' ') AS text FROM (SELECT o::text AS x FROM email_outbox o
        UNION ALL SELECT i::text FROM invitations i) rows`,
    );
    for (const spelling of [SMTP_PASSWORD, encodeURIComponent(SMTP_PASSWORD)]) {
      expect({
        spelling,
        inLog: log.includes(spelling),
        inDatabase: everything[0].text.includes(spelling),
      }).toEqual({
        spelling,
        inLog: false,
        inDatabase: false,
      });
    }
  });
});
