import { BootstrapService } from './cli/bootstrap.service.js';
import { ConfigError } from './config/app-config.js';
import { createApp } from './create-app.js';
import { loadEnvFile } from './config/load-env-file.js';

/** Starts the server; on SIGTERM/SIGINT drains in-flight requests, stops the workers and exits 0. */
async function main(): Promise<void> {
  loadEnvFile();
  const { app, config, close } = await createApp();

  if (config.autoBootstrap) {
    const bootstrap = app.get(BootstrapService);
    if (await bootstrap.isEmpty()) {
      const result = await bootstrap.bootstrap('Demo Organization', 'owner@example.com');
      const base = `http://localhost:${config.port}`;
      process.stdout.write(
        `\nEmpty database: created organization ${result.organization_slug} (${result.organization_id}) with Owner owner@example.com.\n` +
          `Owner API key (shown once): ${result.api_key}\n\n` +
          `Try it:\n  curl -H "X-API-Key: ${result.api_key}" ${base}/v1/me\n\n`,
      );
    }
  }

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        process.stderr.write(`shutdown after ${signal} failed: ${String(error)}\n`);
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  process.stdout.write(`Listening on http://localhost:${config.port} — Swagger UI at http://localhost:${config.port}/docs\n`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`Invalid configuration: ${error.message}\n`);
  } else {
    process.stderr.write(`Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
