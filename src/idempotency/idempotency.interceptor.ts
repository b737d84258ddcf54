import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { from, lastValueFrom, Observable } from 'rxjs';
import { AuthenticatedRequest } from '../common/auth/request-context.js';
import { AppError } from '../common/errors/app-error.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { renderFor } from '../common/errors/error-response.js';
import { isUniqueViolation } from '../common/errors/database-errors.js';
import { toAppError } from '../common/errors/to-app-error.js';
import { Db } from '../database/transactions.js';
import {
  IDEMPOTENCY_HEADER,
  isKeptOutcome,
  isValidIdempotencyKey,
  REPLAYED_HEADER,
  requestFingerprint,
  WRITE_METHODS,
} from './idempotency-rules.js';
import { IdempotencyRepository, KEY_TAKEN, KeptOutcome } from './idempotency.repository.js';

/**
 * Idempotency-Key on every write (API.md). The whole request runs in one transaction: the key is
 * claimed, a kept outcome is replayed (or refused for a different request), else the handler runs
 * in a savepoint and its outcome is kept in the same transaction as the change it made, so no crash
 * can leave one without the other. Services join that transaction through `Db`.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly db: Db,
    private readonly records: IdempotencyRepository,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const header = request.headers[IDEMPOTENCY_HEADER];
    if (!WRITE_METHODS.has(request.method) || header === undefined) return next.handle();
    const key = Array.isArray(header) ? undefined : header;
    if (key === undefined || !isValidIdempotencyKey(key)) {
      throw AppError.validation([
        {
          loc: ['header', 'Idempotency-Key'],
          msg: 'must be 1–255 printable ASCII characters',
          type: 'idempotency_key',
        },
      ]);
    }
    const scope = scopeOf(request);
    if (!scope) return next.handle();
    const reply = http.getResponse<FastifyReply>();
    return from(
      this.run(request, reply, scope, key, () => lastValueFrom(next.handle(), { defaultValue: undefined })),
    );
  }

  private async run(
    request: AuthenticatedRequest,
    reply: FastifyReply,
    scope: string,
    key: string,
    handle: () => Promise<unknown>,
  ): Promise<unknown> {
    const fingerprint = requestFingerprint(request.method, request.url, request.body);
    const attempt = () => this.attempt(request, reply, scope, key, fingerprint, handle);
    const { outcome, replayed } = await attempt().catch((error: unknown) => {
      // Claimed in the instant after another request committed this key's record (claim()): its
      // record collided, which undid it. Now the record is visible, and the retry replays it.
      if (isUniqueViolation(error, KEY_TAKEN)) return attempt();
      throw error;
    });
    if (replayed) reply.header(REPLAYED_HEADER, 'true');
    reply.status(outcome.status).headers(outcome.headers);
    // The body is sent from the kept text on both paths, so a replay is byte for byte the original.
    return outcome.body === null ? undefined : JSON.parse(outcome.body);
  }

  private attempt(
    request: AuthenticatedRequest,
    reply: FastifyReply,
    scope: string,
    key: string,
    fingerprint: string,
    handle: () => Promise<unknown>,
  ): Promise<{ outcome: KeptOutcome; replayed: boolean }> {
    return this.db.transaction(async () => {
      const claimed = await this.records.claim(scope, key);
      if (!claimed) throw new AppError(ErrorCode.IDEMPOTENCY_KEY_IN_USE);
      if (claimed.kept) {
        if (claimed.kept.fingerprint !== fingerprint) throw new AppError(ErrorCode.IDEMPOTENCY_KEY_REUSED);
        return { outcome: claimed.kept, replayed: true };
      }
      const executed = await this.execute(request, reply, fingerprint, handle);
      this.records.keepAtCommit(scope, key, executed);
      return { outcome: executed, replayed: false };
    });
  }

  /**
   * Runs the handler in a savepoint. A business-rule error (409, 404, …) undoes the handler's work
   * but is itself the outcome to keep, rendered as the error filter would; any other error is
   * rethrown, rolling the whole transaction back so that nothing is kept and a retry executes.
   */
  private async execute(
    request: AuthenticatedRequest,
    reply: FastifyReply,
    fingerprint: string,
    handle: () => Promise<unknown>,
  ): Promise<KeptOutcome> {
    try {
      const value = await this.db.transaction(() => handle());
      const body = value === undefined ? null : JSON.stringify(value);
      return { fingerprint, status: reply.statusCode, body, headers: {} };
    } catch (exception) {
      const { error, unexpected } = toAppError(exception, reply.getHeaders());
      if (unexpected || !isKeptOutcome(error.status, error.code)) throw exception;
      const rendered = renderFor(request, error);
      return {
        fingerprint,
        status: rendered.status,
        body: JSON.stringify(rendered.body),
        headers: error.headers,
      };
    }
  }
}

/**
 * Whose key it is: the API key (or token subject) of the caller, or, on the public token routes,
 * the invitation token itself (bound to one invitation and version), hashed.
 */
function scopeOf(request: AuthenticatedRequest): string | undefined {
  const caller = request.caller as { apiKeyId?: string | null; tokenSubject?: string | null } | undefined;
  if (caller?.apiKeyId) return `key:${caller.apiKeyId}`;
  if (caller?.tokenSubject) return `sub:${caller.tokenSubject}`;
  const token = (request.body as { token?: unknown } | undefined)?.token;
  if (typeof token === 'string' && token.length > 0)
    return `token:${createHash('sha256').update(token).digest('hex')}`;
  return undefined;
}
