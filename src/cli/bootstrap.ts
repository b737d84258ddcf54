import { parseArgs } from 'node:util';
import { normalizeEmail } from '../common/email/email-address.js';
import { ConfigError } from '../config/app-config.js';
import { loadEnvFile } from '../config/load-env-file.js';
import { createApp } from '../create-app.js';
import { SLUG_PATTERN } from '../common/ids/slug.js';
import { BootstrapService } from './bootstrap.service.js';

const USAGE =
  'usage: npm run -s bootstrap -- --org-name "Acme" --owner-email owner@acme.test [--slug acme] [--json]';

/**
 * Creates an organization and its Owner against the configured database (migrating it first)
 * and prints the Owner's API key once. With --json, stdout is exactly one JSON object.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'org-name': { type: 'string' },
      'owner-email': { type: 'string' },
      slug: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const orgName = values['org-name']?.trim();
  const owner = values['owner-email'] === undefined ? undefined : normalizeEmail(values['owner-email']);
  const badSlug = values.slug !== undefined && !SLUG_PATTERN.test(values.slug);
  if (!orgName || orgName.length > 200 || !owner?.ok || badSlug) {
    if (owner && !owner.ok) process.stderr.write(`--owner-email: ${owner.reason}\n`);
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  const ownerEmail = owner.email;

  loadEnvFile();
  const { app, close } = await createApp({
    // No job worker and no metrics listener: the running server, sharing this environment, owns those.
    env: {
      MAIL_WORKER_ENABLED: 'false',
      JOBS_ENABLED: 'false',
      AUTO_BOOTSTRAP: 'false',
      METRICS_PORT: '',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    },
    logDestination: 2,
  });
  try {
    const result = await app.get(BootstrapService).bootstrap(orgName, ownerEmail, values.slug);
    if (values.json) {
      const { organization_id, user_id, api_key } = result;
      process.stdout.write(JSON.stringify({ organization_id, user_id, api_key }) + '\n');
    } else {
      process.stdout.write(
        `Created organization "${orgName}" (${result.organization_id}, slug ${result.organization_slug}).\n` +
          `Owner: ${ownerEmail} (${result.user_id})\n` +
          `Owner API key (shown once, store it now): ${result.api_key}\n` +
          `Try: curl -H "X-API-Key: ${result.api_key}" http://localhost:3000/v1/me\n`,
      );
    }
  } finally {
    await close();
  }
}

main().catch((error: unknown) => {
  const message =
    error instanceof ConfigError
      ? `Invalid configuration: ${error.message}`
      : `bootstrap failed: ${error instanceof Error ? error.message : String(error)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
