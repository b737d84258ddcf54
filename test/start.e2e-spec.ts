import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../src/database/embedded-postgres.js';
import { parseMessage } from './support/mime.js';
import { ensureBuilt, spawnNode } from './support/processes.js';

/**
 * What `npm ci && npm start` does on a fresh machine: the built server on an embedded PostgreSQL
 * under DATA_DIR, a demo organization on an empty store, and a clean exit on SIGTERM.
 */
describe('npm start on the embedded database', () => {
  let dataDir: string;

  beforeAll(() => {
    ensureBuilt();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oi-start-'));
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  /** The worker writes the invitation email within a poll interval or two; its text part has the link. */
  async function waitForLinkInMail(dir: string): Promise<string> {
    for (let i = 0; i < 100; i++) {
      const file = fs.existsSync(dir) ? fs.readdirSync(dir).find((name) => name.endsWith('.eml')) : undefined;
      const text = file && parseMessage(fs.readFileSync(path.join(dir, file), 'utf8')).text;
      const link = text && /http:\/\/\S+\/user\/register\?invite=\S+/.exec(text)?.[0];
      if (link) return link;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no invitation email under ${dir}`);
  }

  async function start() {
    const port = await freePort();
    const server = spawnNode(['dist/main.js'], {
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: '',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'development',
      INVITATION_SECRET: '',
    });
    await server.waitFor(/Listening on http:\/\/localhost:\d+/, 90_000);
    return { server, port, base: `http://127.0.0.1:${port}` };
  }

  it('bootstraps a demo organization, serves the API and Swagger UI, and exits 0 on SIGTERM', async () => {
    const { server, port, base } = await start();
    const [, key] = server.output().match(/Owner API key \(shown once\): (oik_[A-Za-z0-9]{43})/)!;
    expect(server.output()).toContain(`curl -H "X-API-Key: ${key}"`);

    const me = await fetch(`${base}/v1/me`, { headers: { 'X-API-Key': key } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { email: string } }).user.email).toBe('owner@example.com');
    expect((await fetch(`${base}/docs`)).status).toBe(200);
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    expect(fs.existsSync(path.join(dataDir, 'pg', 'PG_VERSION'))).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'invitation-secret'))).toBe(true);

    // The invitee's side out of the box: the email lands under DATA_DIR/mail, readable at /dev/mail
    // (the banner says where), and its link, on this PORT, opens the accept page.
    expect(server.output()).toContain(
      `Invitation emails (not sent: no SMTP_URL): http://localhost:${port}/dev/mail`,
    );
    const [org] = (
      (await (await fetch(`${base}/v1/organizations`, { headers: { 'X-API-Key': key } })).json()) as {
        data: { id: string }[];
      }
    ).data;
    const invite = await fetch(`${base}/v1/organizations/${org.id}/invitations`, {
      method: 'POST',
      headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'invitee@example.com' }),
    });
    expect(invite.status).toBe(201);
    const link = await waitForLinkInMail(path.join(dataDir, 'mail'));
    expect(link).toMatch(new RegExp(`^http://localhost:${port}/user/register\\?invite=inv_`));
    const page = await fetch(link.replace('localhost', '127.0.0.1'));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<h1>Join Demo Organization</h1>');
    expect((await fetch(`${base}/dev/mail`)).status).toBe(200);

    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    // The embedded server stopped with the app: its pid file is gone.
    expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);

    // A second start on the same store keeps the data and does not bootstrap again.
    const again = await start();
    expect(again.server.output()).not.toContain('Owner API key');
    expect((await fetch(`${again.base}/v1/me`, { headers: { 'X-API-Key': key } })).status).toBe(200);
    again.server.child.kill('SIGTERM');
    expect(await again.server.exited).toEqual({ code: 0, signal: null });
  });

  it('refuses to start with one clear line on bad configuration', async () => {
    const server = spawnNode(['dist/main.js'], { PORT: 'abc', DATA_DIR: dataDir });
    expect(await server.exited).toEqual({ code: 1, signal: null });
    expect(server.output()).toBe(
      'Invalid configuration: PORT must be an integer from 0 to 65535 (got "abc")\n',
    );
  });
});
