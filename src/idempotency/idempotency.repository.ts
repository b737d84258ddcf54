import { Inject, Injectable } from '@nestjs/common';
import { SealedBox } from '../common/crypto/sealed-box.js';
import { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Db } from '../database/transactions.js';
import { loadInvitationSecret } from '../config/server-secret.js';

export interface KeptOutcome {
  fingerprint: string;
  status: number;
  body: string | null;
  headers: Record<string, string>;
}

/**
 * The one owner of `idempotency_records`. Every call runs in the caller's open transaction. Bodies
 * are sealed under a key derived from the server secret: a kept response may hold an API key shown
 * once (accept, key creation), which must not be readable from the database alone.
 */
@Injectable()
export class IdempotencyRepository {
  private readonly box: SealedBox;

  constructor(
    private readonly db: Db,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.box = new SealedBox(loadInvitationSecret(config), 'idempotency-records');
  }

  /**
   * Claims (scope, key) until the surrounding transaction ends. A transaction-level advisory lock
   * rather than a row: a second request with the same key must learn at once that the first is
   * still running (409), not wait behind an uncommitted insert.
   */
  async tryClaim(scope: string, key: string): Promise<boolean> {
    const {
      rows: [row],
    } = await this.db.prepared<{ claimed: boolean }>(CLAIM, [`idempotency\n${scope}\n${key}`]);
    return row.claimed;
  }

  async find(scope: string, key: string): Promise<KeptOutcome | undefined> {
    const {
      rows: [row],
    } = await this.db.prepared<KeptOutcome>(FIND, [scope, key]);
    return row && { ...row, body: row.body === null ? null : this.box.open(row.body) };
  }

  async keep(scope: string, key: string, outcome: KeptOutcome): Promise<void> {
    await this.db.prepared(KEEP, [
      scope,
      key,
      outcome.fingerprint,
      outcome.status,
      outcome.body === null ? null : this.box.seal(outcome.body),
      JSON.stringify(outcome.headers),
    ]);
  }

  /** Removes records older than `hours`; returns how many. */
  async prune(hours: number): Promise<number> {
    const { count } = await this.db.modify(
      'DELETE FROM idempotency_records WHERE created_at < now() - make_interval(hours => $1)',
      [hours],
    );
    return count;
  }
}

/** The statements of every keyed request (prepared: each is sent with every Idempotency-Key write). */
const CLAIM = {
  name: 'idempotency_claim',
  text: 'SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS claimed',
};
const FIND = {
  name: 'idempotency_find',
  text: 'SELECT fingerprint, status, body, headers FROM idempotency_records WHERE scope = $1 AND key = $2',
};
const KEEP = {
  name: 'idempotency_keep',
  text: `INSERT INTO idempotency_records (scope, key, fingerprint, status, body, headers) VALUES ($1, $2, $3, $4, $5, $6)`,
};
