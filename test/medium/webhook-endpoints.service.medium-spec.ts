import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { ErrorCode } from '../../src/common/errors/error-code.js';
import { newId } from '../../src/common/ids/ids.js';
import { CursorCodec } from '../../src/common/pagination/cursor-codec.js';
import { AppConfig } from '../../src/config/app-config.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { Db } from '../../src/database/transactions.js';
import { SYSTEM_ACTOR } from '../../src/events/actor.js';
import { EventLog } from '../../src/events/event-log.js';
import { WebhookEndpoint } from '../../src/webhooks/webhook-endpoint.entity.js';
import { WebhookEndpointsService } from '../../src/webhooks/webhook-endpoints.service.js';
import { WebhookSecrets } from '../../src/webhooks/webhook-secrets.js';
import { createTestDatabase } from '../support/database.js';

/** The webhook_endpoints table's owner against the real PostgreSQL: secrets sealed, every statement tenant-scoped. */
describe('WebhookEndpointsService SQL (real PostgreSQL)', () => {
  let dataSource: DataSource;
  let endpoints: WebhookEndpointsService;
  let secrets: WebhookSecrets;
  let orgId: string;
  let otherOrgId: string;

  beforeAll(async () => {
    dataSource = new DataSource(dataSourceOptions(await createTestDatabase()));
    await dataSource.initialize();
    const db = new Db(dataSource);
    const config = {
      webhookAllowHttp: false,
      webhookAllowPrivateNetworks: false,
      webhookSecretKey: 'medium-spec-webhook-key-medium-spec-webhook-key',
      invitationSecret: 'medium-spec-secret-medium-spec-secret',
      dataDir: '/nonexistent',
    } as unknown as AppConfig;
    secrets = new WebhookSecrets(config);
    endpoints = new WebhookEndpointsService(
      config,
      dataSource.getRepository(WebhookEndpoint),
      db,
      secrets,
      new EventLog(),
      new CursorCodec(config),
    );
    orgId = newId('org');
    otherOrgId = newId('org');
    await dataSource.query(
      `INSERT INTO organizations (id, name, slug) VALUES ($1, 'Hooks', $2), ($3, 'Other', $4)`,
      [
        orgId,
        `hooks-${orgId.slice(4).toLowerCase()}`,
        otherOrgId,
        `hooks-${otherOrgId.slice(4).toLowerCase()}`,
      ],
    );
  });
  afterAll(() => dataSource.destroy());

  const stored = async (id: string) =>
    (await dataSource.query('SELECT * FROM webhook_endpoints WHERE id = $1', [id]))[0];

  it('create stores the signing secret sealed (bound to the endpoint) and logs one event', async () => {
    const { endpoint, secret } = await endpoints.create(orgId, SYSTEM_ACTOR, {
      url: 'https://hooks.example.com/in',
    });
    const row = await stored(endpoint.id);
    expect(row).toMatchObject({ organization_id: orgId, url: 'https://hooks.example.com/in', enabled: true });
    expect(row.secret_sealed).not.toContain(secret);
    expect(secrets.open(row.secret_sealed, endpoint.id)).toBe(secret);
    expect(() => secrets.open(row.secret_sealed, 'whep_other')).toThrow();
    expect(
      Number(
        (
          await dataSource.query(
            `SELECT count(*)::int AS n FROM events WHERE type = 'webhook_endpoint.created' AND subject_id = $1`,
            [endpoint.id],
          )
        )[0].n,
      ),
    ).toBe(1);
  });

  it('rotateSecret keeps the old secret as the previous one; another organization cannot rotate or delete it', async () => {
    const { endpoint, secret } = await endpoints.create(orgId, SYSTEM_ACTOR, {
      url: 'https://hooks.example.com/r',
    });
    await expect(endpoints.rotateSecret(otherOrgId, SYSTEM_ACTOR, endpoint.id)).rejects.toMatchObject({
      code: ErrorCode.WEBHOOK_ENDPOINT_NOT_FOUND,
    });
    await expect(endpoints.delete(otherOrgId, SYSTEM_ACTOR, endpoint.id)).rejects.toMatchObject({
      code: ErrorCode.WEBHOOK_ENDPOINT_NOT_FOUND,
    });
    const next = await endpoints.rotateSecret(orgId, SYSTEM_ACTOR, endpoint.id);
    const row = await stored(endpoint.id);
    expect(secrets.open(row.secret_sealed, endpoint.id)).toBe(next);
    expect(secrets.open(row.previous_secret_sealed, endpoint.id)).toBe(secret);
    expect(row.previous_secret_expires_at.getTime()).toBeGreaterThan(Date.now());
  });

  it('of two concurrent deletes one succeeds and the row is gone', async () => {
    const { endpoint } = await endpoints.create(orgId, SYSTEM_ACTOR, { url: 'https://hooks.example.com/d' });
    const results = await Promise.allSettled([
      endpoints.delete(orgId, SYSTEM_ACTOR, endpoint.id),
      endpoints.delete(orgId, SYSTEM_ACTOR, endpoint.id),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.code).toBe(
      ErrorCode.WEBHOOK_ENDPOINT_NOT_FOUND,
    );
    expect(await stored(endpoint.id)).toBeUndefined();
  });
});
