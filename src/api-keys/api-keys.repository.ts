import { Injectable } from '@nestjs/common';
import { KEY_USE_RESOLUTION_SQL } from '../common/auth/api-key-use-recorder.js';
import { Db } from '../database/transactions.js';

/** A key's row as the API shows it (never its hash). */
export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
}

/** The `api_keys` table's writes, in the caller's transaction through `Db` (the auth read is common/'s AccessRepository). */
@Injectable()
export class ApiKeysRepository {
  constructor(private readonly db: Db) {}

  /** How many unrevoked keys the user holds (the caller holds the user's lock, so the count stays true). */
  async countLive(userId: string): Promise<number> {
    const [{ n }]: { n: number }[] = await this.db
      .manager()
      .query('SELECT count(*)::int AS n FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL', [userId]);
    return n;
  }

  /** One statement: save() would add a reload SELECT to every key issued (accepting an invitation issues one). */
  async insert(key: {
    id: string;
    userId: string;
    name: string;
    prefix: string;
    hash: string;
  }): Promise<Date> {
    const [row]: { created_at: Date }[] = await this.db
      .manager()
      .query(
        'INSERT INTO api_keys (id, user_id, name, prefix, key_hash) VALUES ($1, $2, $3, $4, $5) RETURNING created_at',
        [key.id, key.userId, key.name, key.prefix, key.hash],
      );
    return row.created_at;
  }

  /** Revokes the user's unrevoked keys (only `keyId` when given); returns those it revoked. */
  async revoke(userId: string, keyId?: string): Promise<ApiKeyRow[]> {
    const { rows } = await this.db.modify<ApiKeyRow>(
      `UPDATE api_keys SET revoked_at = now()
        WHERE user_id = $1 AND ($2::varchar IS NULL OR id = $2) AND revoked_at IS NULL
       RETURNING id, name, prefix, created_at, last_used_at`,
      [userId, keyId ?? null],
    );
    return rows;
  }

  /**
   * Stamps the key's use, unless it was stamped within the minute: the WHERE decides, so concurrent
   * requests (or instances) write at most once a minute. Outside any transaction: it runs off the
   * request's path.
   */
  async touchLastUsed(keyId: string): Promise<void> {
    await this.db.modify(
      `UPDATE api_keys SET last_used_at = now()
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - ${KEY_USE_RESOLUTION_SQL})`,
      [keyId],
    );
  }
}
