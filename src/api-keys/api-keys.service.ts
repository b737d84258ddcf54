import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { displayPrefix, generateApiKey, hashApiKey } from '../common/auth/api-key-secret.js';
import { AppError } from '../common/errors/app-error.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { newId } from '../common/ids/ids.js';
import { CursorCodec } from '../common/pagination/cursor-codec.js';
import { Page, PageQueryDto, paginate } from '../common/pagination/pagination.js';
import { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { StatementPart } from '../database/statement-part.js';
import { Db } from '../database/transactions.js';
import { Actor, userActor } from '../events/actor.js';
import { EventLog, NewEvent } from '../events/event-log.js';
import { UsersRepository } from '../users/users.repository.js';
import { ApiKey } from './api-key.entity.js';
import { ApiKeysRepository, NewKey } from './api-keys.repository.js';
import { ApiKeyCreatedResponseDto, ApiKeyResponseDto } from './dto/api-key.dto.js';

/** A key about to be issued: its row, the same as a part of the caller's statement, and what its creation time makes of it. */
export interface KeyIssue {
  key: NewKey;
  part: StatementPart;
  issued(createdAt: Date | null | undefined): { created: ApiKeyCreatedResponseDto; event: NewEvent };
}

@Injectable()
export class ApiKeysService {
  constructor(
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
    private readonly db: Db,
    private readonly rows: ApiKeysRepository,
    private readonly users: UsersRepository,
    private readonly events: EventLog,
    private readonly cursors: CursorCodec,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Issues a key for the user (inside the caller's transaction when one is open); the secret is
   * returned once. At most MAX_API_KEYS_PER_USER unrevoked keys: the user's row is locked first, so
   * concurrent issues for one user count one after another and the limit holds (no check-then-insert
   * race). `actor`: who asked (the user themselves unless said otherwise).
   */
  issue(
    userId: string,
    name: string,
    actor: Actor = userActor({ userId }),
  ): Promise<ApiKeyCreatedResponseDto> {
    return this.db.transaction(async (manager) => {
      await this.users.lockHoldings(userId);
      const { created, event } = await this.issueUnderLock(userId, name, actor);
      await this.events.append(manager, event);
      return created;
    });
  }

  /**
   * Issues a key in the caller's open transaction, which has already locked the user's row (FOR
   * UPDATE, or `lockHoldings`) in an earlier statement: that lock serialises the count, and the
   * count is taken in the INSERT itself (a statement after the lock sees every key committed before
   * it). Returns the key and its `api_key.created` event, which the caller must append with its own
   * (one INSERT for all). Needs no savepoint: a refusal has written nothing.
   */
  async issueUnderLock(
    userId: string,
    name: string,
    actor: Actor,
  ): Promise<{ created: ApiKeyCreatedResponseDto; event: NewEvent }> {
    const issue = this.prepareIssue(userId, name, actor);
    return issue.issued(await this.rows.insertWithinLimit(issue.key, this.config.maxApiKeysPerUser));
  }

  /**
   * `issueUnderLock` for a key written in a statement of the caller's: `part` goes into that
   * statement, and `issued` takes its `key_created_at` (the key and its event, or the limit's refusal).
   */
  prepareIssue(userId: string, name: string, actor: Actor): KeyIssue {
    const secret = generateApiKey();
    const key = { id: newId('key'), userId, name, prefix: displayPrefix(secret), hash: hashApiKey(secret) };
    const limit = this.config.maxApiKeysPerUser;
    return {
      key,
      part: this.rows.newKeyPart(key, limit),
      issued: (createdAt) => {
        if (!createdAt) throw new AppError(ErrorCode.API_KEY_LIMIT_REACHED, undefined, { limit });
        const created = ApiKeyResponseDto.from({
          id: key.id,
          name,
          prefix: key.prefix,
          createdAt,
          lastUsedAt: null,
        });
        return { created: { ...created, key: secret }, event: keyEvent('api_key.created', created, actor) };
      },
    };
  }

  list(userId: string, query: PageQueryDto): Promise<Page<ApiKeyResponseDto>> {
    const qb = this.keys
      .createQueryBuilder('k')
      .where('k.user_id = :userId AND k.revoked_at IS NULL', { userId });
    return paginate(qb, query, ApiKeyResponseDto.from, this.cursors.for('api_keys', userId));
  }

  /** Revokes every key of the user (inside the caller's transaction), e.g. once their email is proven by someone else. */
  async revokeAll(userId: string, actor: Actor): Promise<void> {
    await this.revokeAndRecord(userId, undefined, actor);
  }

  /** Revokes one of the user's own keys; effective on the next request. */
  async revoke(userId: string, keyId: string, actor: Actor = userActor({ userId })): Promise<void> {
    const revoked = await this.db.transaction(() => this.revokeAndRecord(userId, keyId, actor));
    if (revoked === 0) throw new AppError(ErrorCode.API_KEY_NOT_FOUND);
  }

  private async revokeAndRecord(userId: string, keyId: string | undefined, actor: Actor): Promise<number> {
    const rows = await this.rows.revoke(userId, keyId);
    await this.events.appendAll(
      this.db.manager(),
      rows.map((row) =>
        keyEvent(
          'api_key.revoked',
          ApiKeyResponseDto.from({
            id: row.id,
            name: row.name,
            prefix: row.prefix,
            createdAt: row.created_at,
            lastUsedAt: row.last_used_at,
          }),
          actor,
        ),
      ),
    );
    return rows.length;
  }
}

/** A user's keys belong to no organization: their events have none. */
function keyEvent(
  type: 'api_key.created' | 'api_key.revoked',
  key: ApiKeyResponseDto,
  actor: Actor,
): NewEvent {
  return { type, organizationId: null, actor, subjectId: key.id, data: key };
}
