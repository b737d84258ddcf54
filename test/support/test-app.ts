import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config.js';
import { createApp } from '../../src/create-app.js';
import { contractCheckingEnabled, contractFor, withContract } from './contract.js';
import { createTestDatabase } from './database.js';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig & { databaseUrl: string };
  dataSource: DataSource;
  http: () => ReturnType<typeof request>;
  close: () => Promise<void>;
}

/** A 48-character secret for tests; production requires INVITATION_SECRET explicitly. */
export const TEST_INVITATION_SECRET = 'test-invitation-secret-0123456789abcdefghijklmnop';
export const TEST_WEBHOOK_SECRET_KEY = 'test-webhook-secret-key-0123456789abcdefghijklmn';

/**
 * The real application (the same `createApp()` as `main.ts`) on a fresh database of its own.
 * `env` overrides configuration, as environment variables would.
 */
export async function createTestApp(env: Record<string, string | undefined> = {}): Promise<TestApp> {
  const databaseUrl = env.DATABASE_URL ?? (await createTestDatabase());
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oi-test-data-'));
  const { app, config, close } = await createApp({
    env: {
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      MIGRATIONS_RUN: 'false',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      AUTO_BOOTSTRAP: 'false',
      MAIL_WORKER_ENABLED: 'false',
      METRICS_PORT: '',
      JOBS_ENABLED: 'false',
      INVITATION_SECRET: TEST_INVITATION_SECRET,
      WEBHOOK_SECRET_KEY: TEST_WEBHOOK_SECRET_KEY,
      PUBLIC_APP_URL: 'https://app.example.test',
      // Domain verification never asks the machine's resolver: a loopback port nothing answers on
      // (refused at once); suites that verify domains run their own DNS server (support/dns-server.ts).
      DNS_SERVERS: '127.0.0.1:9',
      ...env,
    },
  });
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    config,
    dataSource: app.get(DataSource),
    // Every response the suites receive is checked against the OpenAPI document (test/support/contract.ts).
    http: contractCheckingEnabled()
      ? () => withContract(request(app.getHttpServer()), contractFor(app))
      : () => request(app.getHttpServer()),
    close: async () => {
      await close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
