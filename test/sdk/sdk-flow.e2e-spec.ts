import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { createOrganizationWithOwner } from '../support/fixtures.js';
import { createTestApp, TestApp } from '../support/test-app.js';

const run = promisify(execFile);
const ROOT = process.cwd();

/** Runs a Node script of the project's own tooling; on failure the error carries its output. */
async function node(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<string> {
  try {
    const { stdout } = await run(process.execPath, args, {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env },
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`node ${args.join(' ')} failed:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

/**
 * A generated client drives the whole flow: openapi-typescript turns the committed openapi.json
 * into types, test/sdk/client/flow.mts is compiled against them with `tsc --strict`, and the
 * compiled program runs against this app over real HTTP.
 */
describe('generated TypeScript SDK (openapi-typescript + openapi-fetch)', () => {
  let t: TestApp;
  let work: string;
  let baseUrl: string;
  let apiKey: string;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    apiKey = (await createOrganizationWithOwner(t, 'SDK bootstrap')).owner.key;
    // Outside the repository, so nothing generated is ever committed or type-checked with the project;
    // node_modules is linked so the program resolves openapi-fetch and @types/node like a client project.
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'oi-sdk-'));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(work, 'node_modules'), 'dir');
  });

  afterAll(async () => {
    await t.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('generates types from openapi.json and compiles the client with tsc --strict, without casts', async () => {
    await node([
      'node_modules/openapi-typescript/bin/cli.js',
      'openapi.json',
      '--output',
      path.join(work, 'schema.d.ts'),
    ]);
    const source = fs.readFileSync(path.join(ROOT, 'test/sdk/client/flow.mts'), 'utf8');
    // "No hand-written types or casts": the program may not assert its way past the generated types
    // (no `as T`, `<T>x`, non-null `x!`, `any`, `@ts-` directives), comments and strings aside.
    const code = source.replace(/\/\/.*$/gm, '').replace(/'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g, "''");
    expect(code.match(/\bas\s+(?!const\b)\w|<\w+>\s*\w|\w!(?=[.;,)\]])|\bany\b|@ts-/g)).toBeNull();
    fs.writeFileSync(path.join(work, 'flow.mts'), source);
    fs.writeFileSync(
      path.join(work, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noUncheckedIndexedAccess: true,
          exactOptionalPropertyTypes: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'ES2022',
          lib: ['ES2022', 'DOM'],
          types: ['node'],
          skipLibCheck: false,
          outDir: 'out',
        },
        files: ['flow.mts'],
      }),
    );
    await node([path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: work });
    expect(fs.existsSync(path.join(work, 'out/flow.mjs'))).toBe(true);
  });

  it('runs the whole flow against the running app and reads a typed 409 envelope', async () => {
    const stdout = await node([path.join(work, 'out/flow.mjs')], {
      cwd: work,
      env: { BASE_URL: baseUrl, API_KEY: apiKey },
    });
    const steps = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { step: string; status: number; code?: string });
    expect(steps).toEqual([
      { step: 'createOrganization', status: 201 },
      { step: 'createRole', status: 201 },
      { step: 'createDepartment', status: 201 },
      { step: 'createInvitationsBulk', status: 200 },
      { step: 'createInvitationsBulk (CSV)', status: 200 },
      { step: 'inviteUserV2', status: 201 },
      { step: 'getPendingInvitation', status: 200 },
      { step: 'lookupInvitation', status: 200 },
      { step: 'acceptInvitation', status: 200 },
      { step: 'getMe (as the invitee)', status: 200 },
      { step: 'listUsers', status: 200 },
      { step: 'listRoles', status: 200 },
      { step: 'updateMemberships', status: 200 },
      { step: 'deactivateUser', status: 200 },
      { step: 'reactivateUser', status: 200 },
      { step: 'removeUser', status: 204 },
      { step: 'createDepartment (duplicate)', status: 409, code: 'DEPARTMENT_ALREADY_EXISTS' },
    ]);
  });
});
