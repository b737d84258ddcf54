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
   * Claims (scope, key) until the surrounding transaction ends, and returns its kept outcome if
   * there is one, in one statement. The claim is a transaction-level advisory lock rather than a
   * row: a second request with the same key must learn at once that the first is still running
   * (409), not wait behind an uncommitted insert. `undefined` when another transaction holds it.
   *
   * The lookup reads the statement's snapshot, taken before the lock: a request that claims the
   * key in the instant after another committed its record does not see that record and executes
   * again; its own record then collides on the primary key, which undoes it (KEY_TAKEN; the
   * interceptor retries and replays). One statement instead of two saves a round trip on every
   * keyed write (bench: invite_keyed).
   */
  async claim(scope: string, key: string): Promise<{ kept: KeptOutcome | null } | undefined> {
    const {
      rows: [row],
    } = await this.db.prepared<KeptOutcome & { claimed: boolean }>(CLAIM, [scope, key]);
    if (!row.claimed) return undefined;
    if (row.fingerprint === null) return { kept: null };
    const { fingerprint, status, body, headers } = row;
    return { kept: { fingerprint, status, headers, body: body === null ? null : this.box.open(body) } };
  }

  /**
   * Keeps the outcome, sent with the transaction's COMMIT (it is the request's last write): a
   * round trip less per keyed write. A record that cannot be written fails the commit.
   */
  keepAtCommit(scope: string, key: string, outcome: KeptOutcome): void {
    this.db.preparedWithNext(KEEP, [
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

/** The primary key a second record of one (scope, key) collides on. */
export const KEY_TAKEN = 'PK_idempotency_records';

/** The statements of every keyed request (prepared: each is sent with every Idempotency-Key write). */
const CLAIM = {
  name: 'idempotency_claim',
  text: `WITH lock AS MATERIALIZED (
      SELECT pg_try_advisory_xact_lock(hashtextextended('idempotency' || E'\\n' || $1::text || E'\\n' || $2::text, 0)) AS claimed)
    SELECT lock.claimed, r.fingerprint, r.status, r.body, r.headers
    FROM lock LEFT JOIN idempotency_records r ON lock.claimed AND r.scope = $1::text AND r.key = $2::text`,
};
const KEEP = {
  name: 'idempotency_keep',
  text: `INSERT INTO idempotency_records (scope, key, fingerprint, status, body, headers) VALUES ($1, $2, $3, $4, $5, $6)`,
};
