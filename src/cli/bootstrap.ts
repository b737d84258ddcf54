import { parseArgs } from 'node:util';
import { ConfigError } from '../config/app-config.js';
import { loadEnvFile } from '../config/load-env-file.js';
import { createApp } from '../create-app.js';
import { SLUG_PATTERN } from '../organizations/slug.js';
import { BootstrapService } from './bootstrap.service.js';

const USAGE = 'usage: npm run -s bootstrap -- --org-name "Acme" --owner-email owner@acme.test [--slug acme] [--json]';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

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
  const ownerEmail = values['owner-email']?.trim().toLowerCase();
  const badSlug = values.slug !== undefined && !SLUG_PATTERN.test(values.slug);
  if (!orgName || orgName.length > 200 || !ownerEmail || ownerEmail.length > 254 || !EMAIL.test(ownerEmail) || badSlug) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }

  loadEnvFile();
  const { app, close } = await createApp({
    env: { MAIL_WORKER_ENABLED: 'false', JOBS_ENABLED: 'false', AUTO_BOOTSTRAP: 'false', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
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
  const message = error instanceof ConfigError ? `Invalid configuration: ${error.message}` : `bootstrap failed: ${error instanceof Error ? error.message : String(error)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
