import { Injectable } from '@nestjs/common';
import { KEY_USE_RESOLUTION_SQL } from '../common/auth/api-key-use-recorder.js';
import { parameter, StatementPart } from '../database/statement-part.js';
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

  /**
   * Inserts the key unless the user already holds `limit` unrevoked ones, the count taken in the
   * INSERT itself: the caller has locked the user's row in an earlier statement, so the count stays
   * true until commit. One statement (save() would add a reload SELECT); the key's creation time,
   * or undefined when the limit is reached.
   */
  async insertWithinLimit(key: NewKey, limit: number): Promise<Date | undefined> {
    const { rows } = await this.db.prepared<{ created_at: Date }>(INSERT_WITHIN_LIMIT, [
      ...keyValues(key),
      limit,
    ]);
    return rows[0]?.created_at;
  }

  /**
   * `insertWithinLimit` as a part of the caller's statement (the accept writes the key with the
   * membership it activates); its column `key_created_at` is null when the limit is reached.
   */
  newKeyPart(key: NewKey, limit: number): StatementPart {
    return {
      name: 'new_key',
      cte: (first) => `${insertWithinLimitSql(first)} AS key_created_at`,
      columns: ['key_created_at'],
      values: [...keyValues(key), limit],
    };
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

/** A key to insert: its hash, never the secret. */
export interface NewKey {
  id: string;
  userId: string;
  name: string;
  prefix: string;
  hash: string;
}

function keyValues(key: NewKey): unknown[] {
  return [key.id, key.userId, key.name, key.prefix, key.hash];
}

/** The INSERT with the per-user cap counted in it; its six parameters from `$first` (the key's five, the limit). */
function insertWithinLimitSql(first: number): string {
  const $ = (index: number) => parameter(first, index);
  return `INSERT INTO api_keys (id, user_id, name, prefix, key_hash)
       SELECT ${$(0)}::varchar, ${$(1)}::varchar, ${$(2)}::varchar, ${$(3)}::varchar, ${$(4)}::varchar
        WHERE (SELECT count(*) FROM api_keys WHERE user_id = ${$(1)} AND revoked_at IS NULL) < ${$(5)}
       RETURNING created_at`;
}

const INSERT_WITHIN_LIMIT = { name: 'api_keys_insert_within_limit', text: insertWithinLimitSql(1) };
