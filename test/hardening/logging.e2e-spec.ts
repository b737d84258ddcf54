import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../../src/database/embedded-postgres.js';
import { createTestDatabase } from '../support/database.js';
import { tokenFromLink } from '../support/invitations.js';
import { bootstrapWithCli, ensureBuilt, Spawned, spawnNode } from '../support/processes.js';
import { TEST_INVITATION_SECRET } from '../support/test-app.js';

/** Every spelling of a secret in a request target that the log must never show. */
function urlSpellings(token: string, key: string): string[] {
  const everyCharEncoded = [...token].map((c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()).join('');
  const lookup = '/v1/invitations/lookup';
  return [
    `${lookup}?token=${token}`,
    `${lookup}?%74oken=${token}`,
    `${lookup}?%74%6F%6B%65%6E=${token}`,
    `${lookup}?TOKEN=${token}`,
    `${lookup}?Token=${token}`,
    `${lookup}?tok%65n=${token}`,
    `${lookup}?token=x&token=${token}`,
    `${lookup}?token=${token}&token=${token}`,
    `${lookup}?token[]=${token}`,
    `${lookup}?token%5B%5D=${token}`,
    `${lookup}?token=${everyCharEncoded}`,
    `${lookup}?token=${encodeURIComponent(encodeURIComponent(token))}`,
    `${lookup}?+token=${token}`,
    `${lookup}?token+=${token}`,
    `${lookup}?%20token%20=${token}`,
    `${lookup}?token=${token}#fragment`,
    `${lookup}?a=1#token=${token}`,
    `${lookup}#?token=${token}`,
    `${lookup}?a=1;token=${token}`,
    `${lookup}?;token=${token}`,
    `${lookup}?token=${token.replace(/\./g, '%2E')}`,
    `${lookup}?${token}`,
    `${lookup}?x=${token}`,
    `${lookup}/${token}`,
    `/user/register?invite=${token}`,
    `/user/register?%69nvite=${encodeURIComponent(token)}`,
    `/v1/me?token=${token}`,
    `/v1/me?api_key=${key}`,
    `/v1/me?API_KEY=${key}`,
    `/v1/me?x-api-key=${key}`,
    `/v1/me?key=${key}`,
    `/v1/organizations?limit=1&status=${key}`,
    `/v1/${key}`,
    `/v1/${encodeURIComponent(token)}/x`,
  ];
}

/** A GET with exactly this request target (fetch would drop a fragment and re-encode the rest). */
function rawGet(base: string, target: string): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, path: target, method: 'GET' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

function decodeRepeatedly(text: string): string {
  let current = text;
  for (let i = 0; i < 3; i++)
    current = current.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  return current.replace(/\+/g, ' ');
}

/**
 * What the running server writes to its log, at the default level, while secrets pass through it:
 * API keys in both header forms, an invitation token in a query string and in a body, and keys
 * handed out in responses. None of them may appear; every request line carries its trace id.
 */
describe('logs never contain secrets', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oi-logs-'));
  let server: Spawned;
  let base: string;
  let ownerKey: string;
  let orgId: string;

  beforeAll(async () => {
    ensureBuilt();
    const databaseUrl = await createTestDatabase();
    const env = { DATABASE_URL: databaseUrl, DATA_DIR: dataDir, INVITATION_SECRET: TEST_INVITATION_SECRET };
    ({ apiKey: ownerKey, organizationId: orgId } = bootstrapWithCli(env, 'Logs', 'owner@logs.test'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = spawnNode(['dist/main.js'], {
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      AUTO_BOOTSTRAP: 'false',
      MAIL_POLL_INTERVAL_MS: '50',
    });
    await server.waitFor(/Listening on/);
  }, 120_000);
  afterAll(() => {
    if (server?.child.exitCode === null) server.child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes request lines with trace ids and no API key, token or issued key', async () => {
    const json = { 'Content-Type': 'application/json' };
    const invite = await fetch(`${base}/v1/organizations/${orgId}/invitations`, {
      method: 'POST',
      headers: { ...json, 'X-API-Key': ownerKey, 'X-Request-Id': 'trace-invite-1' },
      body: JSON.stringify({ email: 'new.person@logs.test', send_invitation: true }),
    });
    expect(invite.status).toBe(201);
    const token = tokenFromLink(((await invite.json()) as { invitation_link: string }).invitation_link);

    expect((await fetch(`${base}/v1/invitations/lookup?token=${encodeURIComponent(token)}`)).status).toBe(
      200,
    );
    const accepted = await fetch(`${base}/v1/invitations/accept`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ token, full_name: 'New Person' }),
    });
    expect(accepted.status).toBe(200);
    const issuedKey = ((await accepted.json()) as { api_key: string }).api_key;
    expect((await fetch(`${base}/v1/me`, { headers: { Authorization: `Bearer ${issuedKey}` } })).status).toBe(
      200,
    );
    const created = await fetch(`${base}/v1/api-keys`, {
      method: 'POST',
      headers: { ...json, 'X-API-Key': ownerKey },
      body: '{}',
    });
    const createdKey = ((await created.json()) as { key: string }).key;
    expect((await fetch(`${base}/v1/me`, { headers: { 'X-API-Key': 'oik_' + 'Q'.repeat(43) } })).status).toBe(
      401,
    );
    // Every way a client (or a mangling proxy) might spell a secret into a URL: issue 11 found
    // `?%74oken=` logged whole, because redaction ran a regular expression over the raw URL.
    const spellings = urlSpellings(token, ownerKey);
    for (const url of spellings) await rawGet(base, url);
    // The mail worker delivers the invitation (its email carries the link) and logs where it wrote it.
    await server.waitFor(/email written to /, 15_000);

    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    const log = server.output();

    const mac = token.split('.')[2];
    // Searched as written, and percent-decoded (repeatedly), so an encoded copy counts as found.
    const decodedLog = decodeRepeatedly(log);
    for (const secret of [ownerKey, issuedKey, createdKey, token, mac, TEST_INVITATION_SECRET]) {
      expect({
        secret: secret.slice(0, 12),
        found: log.includes(secret) || decodedLog.includes(secret),
      }).toEqual({
        secret: secret.slice(0, 12),
        found: false,
      });
    }
    // The mac's first and second halves too (a secret cut in two by an odd spelling is still a secret).
    for (const half of [mac.slice(0, 21), mac.slice(21)]) expect(decodedLog.includes(half)).toBe(false);
    const requestLines = log
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg?: string; trace_id?: string; req?: { url?: string } })
      .filter((entry) => entry.msg === 'incoming request' || entry.msg === 'request completed');
    expect(requestLines.length).toBeGreaterThanOrEqual(12 + 2 * spellings.length);
    for (const entry of requestLines) expect(entry.trace_id).toEqual(expect.any(String));
    expect(requestLines.some((e) => e.trace_id === 'trace-invite-1')).toBe(true);
    // The lookup is logged, with its token replaced.
    expect(requestLines.some((e) => e.req?.url === '/v1/invitations/lookup?token=[redacted]')).toBe(true);
  });
});
