import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** last_used_at is kept to the minute: at most one write per key per minute, never one per request. */
export const KEY_USE_RESOLUTION_SQL = `interval '1 minute'`;

/**
 * Records that an API key was used. The auth read already says whether a write is due; this issues
 * the conditional UPDATE off the request's path (not awaited), so a request never waits for it and
 * concurrent requests (or instances) cannot write twice within the minute: the WHERE decides.
 */
@Injectable()
export class ApiKeyActivity implements OnApplicationShutdown {
  private readonly logger = new Logger('ApiKeyActivity');
  /** Writes in flight, by key: a burst of requests on one key issues one UPDATE, not one each. */
  private readonly pending = new Map<string, Promise<void>>();

  constructor(private readonly dataSource: DataSource) {}

  recordUse(keyId: string): void {
    if (this.pending.has(keyId)) return;
    const write = this.dataSource
      .query(
        `UPDATE api_keys SET last_used_at = now()
          WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - ${KEY_USE_RESOLUTION_SQL})`,
        [keyId],
      )
      .then(
        () => undefined,
        // Losing one activity timestamp is harmless; the next request a minute later writes it.
        (error: unknown) =>
          this.logger.warn(`last_used_at of ${keyId} not recorded: ${(error as Error).message}`),
      )
      .finally(() => this.pending.delete(keyId));
    this.pending.set(keyId, write);
  }

  /** Runs after the HTTP server drained and before the pool closes (AppModule's hooks run first). */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.pending.values());
  }
}
