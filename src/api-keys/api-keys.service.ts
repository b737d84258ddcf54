import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, IsNull, Repository } from 'typeorm';
import { displayPrefix, generateApiKey, hashApiKey } from '../common/auth/api-key-secret.js';
import { AppError } from '../common/errors/app-error.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { newId } from '../common/ids/ids.js';
import { Page, PageQueryDto, paginate } from '../common/pagination/pagination.js';
import { ApiKey } from './api-key.entity.js';
import { ApiKeyCreatedResponseDto, ApiKeyResponseDto } from './dto/api-key.dto.js';

@Injectable()
export class ApiKeysService {
  constructor(@InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>) {}

  /** Issues a key for the user (inside the caller's transaction when given); the secret is returned once. */
  async issue(userId: string, name: string, manager: EntityManager = this.keys.manager): Promise<ApiKeyCreatedResponseDto> {
    const secret = generateApiKey();
    const id = newId('key');
    const prefix = displayPrefix(secret);
    // One statement: save() would add a reload SELECT to every key issued (accepting an invitation issues one).
    const [row]: { created_at: Date }[] = await manager.query(
      'INSERT INTO api_keys (id, user_id, name, prefix, key_hash) VALUES ($1, $2, $3, $4, $5) RETURNING created_at',
      [id, userId, name, prefix, hashApiKey(secret)],
    );
    return { ...ApiKeyResponseDto.from({ id, name, prefix, createdAt: row.created_at }), key: secret };
  }

  list(userId: string, query: PageQueryDto): Promise<Page<ApiKeyResponseDto>> {
    const qb = this.keys.createQueryBuilder('k').where('k.user_id = :userId AND k.revoked_at IS NULL', { userId });
    return paginate(qb, query, ApiKeyResponseDto.from);
  }

  /** Revokes every key of the user (inside the caller's transaction), e.g. once their email is proven by someone else. */
  async revokeAll(userId: string, manager: EntityManager): Promise<void> {
    await manager.query('UPDATE api_keys SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [userId]);
  }

  /** Revokes one of the user's own keys; effective on the next request. */
  async revoke(userId: string, keyId: string): Promise<void> {
    const result = await this.keys.update({ id: keyId, userId, revokedAt: IsNull() }, { revokedAt: new Date() });
    if (!result.affected) throw new AppError(ErrorCode.API_KEY_NOT_FOUND);
  }
}
