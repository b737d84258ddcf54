import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../src/database/embedded-postgres.js';
import { expectError } from './support/envelope.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { testRedis, TestRedis } from './hardening/support/redis.js';

/** /health/ready through Terminus: the database always, Redis when REDIS_URL is set. */
describe('health with REDIS_URL', () => {
  let redis: TestRedis;

  beforeAll(async () => {
    redis = await testRedis();
  });
  afterAll(() => redis.stop());

  it('is ready when the database and Redis answer', async () => {
    const t = await createTestApp({ REDIS_URL: redis.url });
    try {
      expect((await t.http().get('/health/ready')).body).toEqual({ status: 'ok' });
      expect((await t.http().get('/health/live')).body).toEqual({ status: 'ok' });
    } finally {
      await t.close();
    }
  });

  describe('when Redis does not answer', () => {
    let t: TestApp;

    beforeAll(async () => {
      // A port nobody listens on.
      t = await createTestApp({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    });
    afterAll(() => t.close());

    it('answers 503 SERVICE_UNAVAILABLE naming Redis, and stays live', async () => {
      const started = Date.now();
      const ready = await t.http().get('/health/ready');
      const error = expectError(ready, 503, 'SERVICE_UNAVAILABLE');
      expect(error.message).toBe('Redis is not reachable.');
      expect(error.details).toEqual({ down: ['redis'] });
      expect(Date.now() - started).toBeLessThan(5000);
      expect((await t.http().get('/health/live')).body).toEqual({ status: 'ok' });
    });
  });
});
