import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createTestDatabase } from './support/database.js';
import { ensureBuilt } from './support/processes.js';
import { createTestApp } from './support/test-app.js';

const run = promisify(execFile);

/** `npm run -s bootstrap -- …` is `node dist/cli/bootstrap.js …` after an if-needed build. */
function bootstrap(args: string[], databaseUrl: string) {
  return run(process.execPath, ['dist/cli/bootstrap.js', ...args], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
  });
}

describe('bootstrap CLI', () => {
  let databaseUrl: string;

  beforeAll(async () => {
    ensureBuilt();
    databaseUrl = await createTestDatabase();
  });

  it('with --json prints exactly one JSON object whose key works', async () => {
    const { stdout } = await bootstrap(
      ['--org-name', 'Acme', '--owner-email', 'Owner@Acme.test', '--json'],
      databaseUrl,
    );
    expect(stdout.trim().split('\n')).toHaveLength(1);
    const result = JSON.parse(stdout);
    expect(Object.keys(result).sort()).toEqual(['api_key', 'organization_id', 'user_id']);
    expect(result.organization_id).toMatch(/^org_/);
    expect(result.user_id).toMatch(/^usr_/);

    const t = await createTestApp({ DATABASE_URL: databaseUrl });
    try {
      const me = await t.http().get('/v1/me').set('X-API-Key', result.api_key);
      expect(me.status).toBe(200);
      expect(me.body.user.email).toBe('owner@acme.test');
      expect(me.body.memberships[0]).toMatchObject({
        organization_id: result.organization_id,
        account_state: 'active',
      });
      const roles: { key: string }[] = await t.dataSource.query(
        `SELECT r.key FROM membership_roles mr JOIN roles r ON r.id = mr.role_id JOIN memberships m ON m.id = mr.membership_id
          WHERE m.user_id = $1`,
        [result.user_id],
      );
      expect(roles.map((r) => r.key)).toEqual(['owner']);
    } finally {
      await t.close();
    }
  });

  it('without --json prints a friendly text with the key', async () => {
    const { stdout } = await bootstrap(
      ['--org-name', 'Beta Co', '--owner-email', 'owner@beta.test'],
      databaseUrl,
    );
    expect(stdout).toContain('Created organization "Beta Co"');
    expect(stdout).toMatch(/Owner API key \(shown once, store it now\): oik_[A-Za-z0-9]{43}/);
  });

  it.each([
    [['--org-name', 'X', '--owner-email', 'not-an-email']],
    [['--owner-email', 'a@b.test']],
    [['--org-name', 'X', '--owner-email', 'a@b.test', '--slug', 'Not_A_Slug']],
    // Lookalikes of a real address (issue 11): the one email normalisation refuses them.
    [['--org-name', 'X', '--owner-email', 'admin\u200b@acme.test']],
    [['--org-name', 'X', '--owner-email', '\uff41dmin@acme.test']],
  ])('exits 2 with usage on bad arguments %j', async (args) => {
    await expect(bootstrap(args, databaseUrl)).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('usage: npm run -s bootstrap'),
    });
  });

  it('exits 1 with one clear line on bad configuration', async () => {
    await expect(
      run(process.execPath, ['dist/cli/bootstrap.js', '--org-name', 'X', '--owner-email', 'a@b.test'], {
        env: { ...process.env, DATABASE_URL: 'mysql://nope' },
      }),
    ).rejects.toMatchObject({
      code: 1,
      stderr: 'Invalid configuration: DATABASE_URL must use one of postgres, postgresql (got "mysql:")\n',
    });
  });
});
