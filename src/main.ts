import { BootstrapService } from './cli/bootstrap.service.js';
import { ConfigError } from './config/app-config.js';
import { createApp } from './create-app.js';
import { loadEnvFile } from './config/load-env-file.js';
import { ownBaseUrl } from './config/own-base-url.js';

/** Starts the server; on SIGTERM/SIGINT drains in-flight requests, stops the workers and exits 0. */
async function main(): Promise<void> {
  loadEnvFile();
  const { app, config, close } = await createApp();
  const base = ownBaseUrl(config.host, config.port);
  // Where the invitation emails can be read when they are only written to disk.
  const mailViewer = config.mailViewerEnabled
    ? `Invitation emails (not sent: no SMTP_URL): ${base}/dev/mail\n`
    : '';

  if (config.autoBootstrap) {
    const bootstrap = app.get(BootstrapService);
    if (await bootstrap.isEmpty()) {
      const result = await bootstrap.bootstrap('Demo Organization', 'owner@example.com');
      process.stdout.write(
        `\nEmpty database: created organization ${result.organization_slug} (${result.organization_id}) with Owner owner@example.com.\n` +
          `Owner API key (shown once): ${result.api_key}\n` +
          mailViewer +
          `\nTry it:\n  curl -H "X-API-Key: ${result.api_key}" ${base}/v1/me\n\n`,
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
  process.stdout.write(`Listening on ${base} — Swagger UI at ${base}/docs\n${mailViewer}`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`Invalid configuration: ${error.message}\n`);
  } else {
    process.stderr.write(
      `Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
