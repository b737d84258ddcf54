import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ApiKeyUseRecorder } from '../common/auth/api-key-use-recorder.js';
import { ApiKeysRepository } from './api-keys.repository.js';

/**
 * Records that an API key was used: issues the repository's conditional UPDATE off the request's
 * path (not awaited), so a request never waits for it and concurrent requests (or instances) cannot
 * write twice within the minute: the WHERE decides.
 */
@Injectable()
export class ApiKeyActivity extends ApiKeyUseRecorder implements OnApplicationShutdown {
  private readonly logger = new Logger('ApiKeyActivity');
  /** Writes in flight, by key: a burst of requests on one key issues one UPDATE, not one each. */
  private readonly pending = new Map<string, Promise<void>>();

  constructor(private readonly keys: ApiKeysRepository) {
    super();
  }

  recordUse(keyId: string): void {
    if (this.pending.has(keyId)) return;
    const write = this.keys
      .touchLastUsed(keyId)
      .then(
        () => undefined,
        // Losing one activity timestamp is harmless; the next request a minute later writes it.
        (error: unknown) =>
          this.logger.warn(`last_used_at of ${keyId} not recorded: ${(error as Error).message}`),
      )
      .finally(() => this.pending.delete(keyId));
    this.pending.set(keyId, write);
  }

  /**
   * Runs after the HTTP server drained and before the pool closes: Nest runs shutdown hooks from the
   * root module outwards, and TypeORM's global module, which closes the pool, comes last.
   */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.pending.values());
  }
}
