import type { OpenAPIObject, OperationObject, ResponseObject } from '@nestjs/swagger';
import { AppError } from '../common/errors/app-error.js';
import { ERROR_CODES, ErrorCode } from '../common/errors/error-code.js';
import { ORG_SLUG_ROUTE_PREFIX, renderForPath } from '../common/errors/error-response.js';
import { REQUEST_MEDIA_EXTENSION } from '../common/openapi/request-media.decorator.js';
import {
  BODY_ERROR_CODES,
  COMMON_ERROR_CODES,
  ERROR_CODES_EXTENSION,
} from '../common/openapi/api-errors.decorator.js';
import { describeCodes } from './error-docs.js';

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
/** Fastify parses a body (and can answer 413/415) for these methods, whether or not the route reads one. */
const BODY_METHODS = new Set(['post', 'put', 'patch', 'delete']);

const ENVELOPE_REF = '#/components/schemas/ErrorEnvelopeDto';
const ORG_SLUG_REF = '#/components/schemas/OrgSlugErrorDto';
export const REQUEST_ID_HEADER = 'X-Request-Id';
const IDEMPOTENCY_PARAMETER = 'IdempotencyKey';
const EXAMPLE_TRACE_ID = 'abc-123-def';
const EXAMPLE_TIMESTAMP = '2025-12-22T15:30:00Z';

/** What an Idempotency-Key can be refused with, on every route whose method carries a body. */
const IDEMPOTENCY_ERROR_CODES = [ErrorCode.IDEMPOTENCY_KEY_IN_USE, ErrorCode.IDEMPOTENCY_KEY_REUSED];

const SUCCESS_DESCRIPTIONS: Record<string, string> = { '200': 'OK', '201': 'Created', '204': 'No Content' };

/** Example details, so examples read like the published pages. */
const EXAMPLE_DETAILS: Partial<Record<ErrorCode, Record<string, unknown>>> = {
  [ErrorCode.VALIDATION_ERROR]: {
    errors: [{ loc: ['body', 'email'], msg: 'email must be an email', type: 'is_email' }],
  },
  [ErrorCode.USER_ALREADY_EXISTS]: { email: 'jane@example.com', organization_id: 'org_xyz789' },
  [ErrorCode.INVITATION_ALREADY_PENDING]: { invitation_id: 'inv_def456' },
  [ErrorCode.API_KEY_LIMIT_REACHED]: { limit: 25 },
};

const ACCESS_TEXT: Record<string, string> = {
  public: 'No authentication.',
  user: 'Requires an API key or an OIDC access token.',
  member: 'Requires organization membership.',
  admin: 'Requires Admin or Owner role.',
  owner: 'Requires Owner role.',
};
/** Set by `@Access` (src/common/auth/access.decorator.ts); turned into the description's Authorization line. */
export const ACCESS_EXTENSION = 'x-access';

/**
 * What every operation has in common, added in one place rather than on each route: the error
 * responses, built from the codes the route declares (`@ApiErrors`, `@Access`) and those every
 * route can answer (COMMON_ERROR_CODES, and BODY_ERROR_CODES where a body is parsed); the
 * X-Request-Id header on every response and Retry-After on 429; and an Authorization line in the
 * description.
 */
export function completeOperations(document: OpenAPIObject): OpenAPIObject {
  document.components = {
    ...document.components,
    parameters: {
      ...document.components?.parameters,
      [IDEMPOTENCY_PARAMETER]: {
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description:
          'Makes a retry safe: the first outcome under this key (success, or a business-rule 4xx) is kept 24 h and ' +
          'replayed byte for byte with `Idempotent-Replayed: true`; validation errors, 401, 429 and 5xx are not kept. ' +
          'Scoped to the caller (API key or token; on the token routes, the invitation token).',
        schema: {
          type: 'string',
          minLength: 1,
          maxLength: 255,
          pattern: '^[\\x20-\\x7e]+$',
          example: 'invite-jane-2026-01-05',
        },
      },
    },
    headers: {
      ...document.components?.headers,
      [REQUEST_ID_HEADER]: {
        description:
          'The trace id of the request: the one the client sent, if sane, else a new one. Equals `trace_id` in errors.',
        required: true,
        schema: { type: 'string', minLength: 1, maxLength: 128, example: EXAMPLE_TRACE_ID },
      },
      'Retry-After': {
        description: 'Seconds to wait before retrying.',
        required: true,
        schema: { type: 'integer', minimum: 1 },
      },
    },
  };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (operation) completeOperation(operation, path, method);
    }
  }
  return document;
}

function completeOperation(operation: OperationObject, path: string, method: string): void {
  if (BODY_METHODS.has(method)) documentIdempotency(operation);
  addErrorResponses(operation, path, method);
  addRequestMedia(operation);
  for (const [status, response] of Object.entries(operation.responses) as [string, ResponseObject][]) {
    response.description ||= SUCCESS_DESCRIPTIONS[status] ?? 'Response';
    response.headers = {
      ...response.headers,
      [REQUEST_ID_HEADER]: { $ref: `#/components/headers/${REQUEST_ID_HEADER}` },
    };
    if (status === '429') response.headers['Retry-After'] = { $ref: '#/components/headers/Retry-After' };
  }
  describeAccess(operation);
}

/** Request media types a route declared besides JSON (`@ApiRequestMedia`), put where OpenAPI has them. */
function addRequestMedia(operation: OperationObject): void {
  const host = operation as OperationObject & Record<string, unknown>;
  const media = host[REQUEST_MEDIA_EXTENSION] as Record<string, object> | undefined;
  if (!media) return;
  delete host[REQUEST_MEDIA_EXTENSION];
  const body = operation.requestBody as { content?: Record<string, object> } | undefined;
  if (body) body.content = { ...body.content, ...media };
}

/** Every write accepts an Idempotency-Key (src/idempotency) and can answer its two refusals. */
function documentIdempotency(operation: OperationObject): void {
  operation.parameters = [
    ...(operation.parameters ?? []),
    { $ref: `#/components/parameters/${IDEMPOTENCY_PARAMETER}` },
  ];
}

/**
 * One response per status the operation's codes render with on its surface (a VALIDATION_ERROR is
 * a 400, or a 422 on the org-slug routes), in that surface's envelope, described code by code, with
 * one example per code rendered by the very renderer the route answers with.
 */
function addErrorResponses(operation: OperationObject, path: string, method: string): void {
  const extended = operation as OperationObject & Record<string, unknown>;
  const declared = (extended[ERROR_CODES_EXTENSION] ?? []) as ErrorCode[];
  delete extended[ERROR_CODES_EXTENSION];
  const undeclared = Object.keys(operation.responses).filter((status) => Number(status) >= 400);
  if (undeclared.length > 0) {
    throw new Error(
      `${operation.operationId}: error responses ${undeclared.join(', ')} are declared directly; declare their codes with @ApiErrors`,
    );
  }
  const codes = new Set([
    ...COMMON_ERROR_CODES,
    ...(BODY_METHODS.has(method) ? [...BODY_ERROR_CODES, ...IDEMPOTENCY_ERROR_CODES] : []),
    ...declared,
  ]);
  const byStatus = new Map<number, { code: ErrorCode; example: unknown }[]>();
  // In the order of the ErrorCode table, so the document does not depend on the order of decorators.
  for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
    if (!codes.has(code)) continue;
    const { status, body } = renderForPath(
      path,
      new AppError(code, undefined, EXAMPLE_DETAILS[code] ?? {}),
      EXAMPLE_TRACE_ID,
    );
    // A fixed timestamp, so the generated document does not change from run to run.
    const example =
      'error' in body ? { ...body, error: { ...body.error, timestamp: EXAMPLE_TIMESTAMP } } : body;
    byStatus.set(status, [...(byStatus.get(status) ?? []), { code, example }]);
  }
  const schema = { $ref: path.startsWith(ORG_SLUG_ROUTE_PREFIX) ? ORG_SLUG_REF : ENVELOPE_REF };
  for (const [status, entries] of byStatus) {
    operation.responses[status] = {
      description: describeCodes(entries.map((entry) => entry.code)),
      content: {
        'application/json': {
          schema,
          examples: Object.fromEntries(
            entries.map(({ code, example }) => [code, { summary: code, value: example }]),
          ),
        },
      },
    };
  }
}

function describeAccess(operation: OperationObject): void {
  const extended = operation as OperationObject & Record<string, unknown>;
  const level = extended[ACCESS_EXTENSION];
  delete extended[ACCESS_EXTENSION];
  const access = typeof level === 'string' ? ACCESS_TEXT[level] : undefined;
  if (!access) return;
  // Say "no credentials needed" explicitly; a route that also accepts a key (accept) declares its own.
  if (level === 'public') operation.security ??= [];
  const description = operation.description ?? operation.summary ?? '';
  operation.description = description
    ? `${description}\n\n**Authorization:** ${access}`
    : `**Authorization:** ${access}`;
}
