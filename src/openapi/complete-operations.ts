import type { OpenAPIObject, OperationObject, ResponseObject } from '@nestjs/swagger';
import { AppError } from '../common/errors/app-error.js';
import { ERROR_CODES, ErrorCode } from '../common/errors/error-code.js';
import { renderCanonical, renderSeed002 } from '../common/errors/error-envelope.js';
import { SEED002_ROUTE_PREFIX } from '../common/errors/error-response.js';
import { REQUEST_MEDIA_EXTENSION } from '../common/openapi/request-media.decorator.js';
import {
  BODY_ERROR_STATUSES,
  COMMON_ERROR_STATUSES,
  ERROR_DESCRIPTIONS,
} from '../common/openapi/api-errors.decorator.js';

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
/** Fastify parses a body (and can answer 413/415) for these methods, whether or not the route reads one. */
const BODY_METHODS = new Set(['post', 'put', 'patch', 'delete']);

const ENVELOPE_REF = '#/components/schemas/ErrorEnvelopeDto';
const SEED002_REF = '#/components/schemas/Seed002ErrorDto';
export const REQUEST_ID_HEADER = 'X-Request-Id';
const IDEMPOTENCY_PARAMETER = 'IdempotencyKey';

const SUCCESS_DESCRIPTIONS: Record<string, string> = { '200': 'OK', '201': 'Created', '204': 'No Content' };

/** The code an error example shows when the route's description names none. */
const DEFAULT_CODE: Record<number, ErrorCode> = {
  400: ErrorCode.VALIDATION_ERROR,
  401: ErrorCode.AUTHENTICATION_REQUIRED,
  403: ErrorCode.INSUFFICIENT_PERMISSIONS,
  404: ErrorCode.NOT_FOUND,
  405: ErrorCode.METHOD_NOT_ALLOWED,
  409: ErrorCode.CONFLICT,
  410: ErrorCode.INVITATION_EXPIRED,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  422: ErrorCode.VALIDATION_ERROR,
  429: ErrorCode.RATE_LIMITED,
  500: ErrorCode.INTERNAL_ERROR,
  503: ErrorCode.SERVICE_UNAVAILABLE,
};

/** Seed 001's and the seeds' own example details, so examples read like the published pages. */
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
 * statuses any route can answer (COMMON_ERROR_STATUSES, and 413/415 where a body is parsed), the
 * X-Request-Id header on every response and Retry-After on 429, error examples rendered by the real
 * error renderers, and an Authorization line in the description.
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
        schema: { type: 'string', minLength: 1, maxLength: 128, example: 'abc-123-def' },
      },
      'Retry-After': {
        description: 'Seconds to wait before retrying.',
        required: true,
        schema: { type: 'integer', minimum: 1 },
      },
    },
  };
  for (const [path, item] of Object.entries(document.paths)) {
    const seed002 = path.startsWith(SEED002_ROUTE_PREFIX);
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (operation) completeOperation(operation, method, seed002);
    }
  }
  return document;
}

function completeOperation(operation: OperationObject, method: string, seed002: boolean): void {
  // Seed 002's surface answers 422 where the rest of the API answers 400 (renderSeed002).
  const common = COMMON_ERROR_STATUSES.map((status) => (seed002 && status === 400 ? 422 : status));
  const statuses = BODY_METHODS.has(method) ? [...common, ...BODY_ERROR_STATUSES] : common;
  for (const status of statuses) {
    operation.responses[status] ??= {
      description: ERROR_DESCRIPTIONS[status],
      content: { 'application/json': { schema: { $ref: seed002 ? SEED002_REF : ENVELOPE_REF } } },
    };
  }
  if (BODY_METHODS.has(method)) documentIdempotency(operation, seed002);
  addRequestMedia(operation);
  for (const [status, response] of Object.entries(operation.responses) as [string, ResponseObject][]) {
    response.description =
      mergedDescription(response.description, Number(status)) || (SUCCESS_DESCRIPTIONS[status] ?? 'Response');
    response.headers = {
      ...response.headers,
      [REQUEST_ID_HEADER]: { $ref: `#/components/headers/${REQUEST_ID_HEADER}` },
    };
    if (status === '429') response.headers['Retry-After'] = { $ref: '#/components/headers/Retry-After' };
    if (Number(status) >= 400) addErrorExamples(response, Number(status), seed002);
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
function documentIdempotency(operation: OperationObject, seed002: boolean): void {
  operation.parameters = [
    ...(operation.parameters ?? []),
    { $ref: `#/components/parameters/${IDEMPOTENCY_PARAMETER}` },
  ];
  const addPart = (status: number, part: string) => {
    const existing = operation.responses[status] as ResponseObject | undefined;
    if (existing) existing.description = `${existing.description}\n\n${part}`;
    else
      operation.responses[status] = {
        description: part,
        content: { 'application/json': { schema: { $ref: seed002 ? SEED002_REF : ENVELOPE_REF } } },
      };
  };
  addPart(409, 'A request with this Idempotency-Key is still being processed (IDEMPOTENCY_KEY_IN_USE)');
  // On this surface 422 is also the validation status; say so, or the merged description would drop it.
  if (seed002) addPart(422, 'The request is invalid (VALIDATION_ERROR)');
  addPart(422, 'This Idempotency-Key was used with a different request (IDEMPOTENCY_KEY_REUSED)');
}

/**
 * Nest joins the descriptions of two declarations of one status (e.g. `@Access`'s generic 403/404 and
 * the route's own) with a blank line. Keep the route's own: drop a default text, and a part whose
 * error codes another part already names.
 */
function mergedDescription(description: string, status: number): string {
  const parts = [...new Set(description.split(/\n\s*\n/).map((part) => part.trim()))].filter(Boolean);
  const codes = parts.map((part): string[] => part.match(/\b[A-Z][A-Z0-9_]{2,}\b/g) ?? []);
  // Part i is covered by part j when j names all of i's codes and more (or the same ones, first).
  const covered = (i: number) =>
    codes[i]!.length > 0 &&
    codes.some(
      (other, j) =>
        j !== i && codes[i]!.every((c) => other.includes(c)) && (other.length > codes[i]!.length || j < i),
    );
  // A default text goes when the route says more; it stays when its codes are named nowhere else.
  const isDefault = (i: number) =>
    parts[i] === ERROR_DESCRIPTIONS[status] &&
    codes[i]!.every((c) => codes.some((other, j) => j !== i && other.includes(c)));
  const specific = parts.filter((_part, i) => !isDefault(i) && !covered(i));
  return (specific.length > 0 ? specific : parts).join('\n\n');
}

/** One example per error code the response's description names (e.g. "(LAST_OWNER)"), else the status's usual code. */
function addErrorExamples(response: ResponseObject, status: number, seed002: boolean): void {
  const media = response.content?.['application/json'];
  if (!media || media.example || media.examples) return;
  const named = [...response.description.matchAll(/\b[A-Z][A-Z0-9_]{2,}\b/g)]
    .map((m) => m[0])
    .filter(
      (code): code is ErrorCode => code in ERROR_CODES && ERROR_CODES[code as ErrorCode].status === status,
    );
  const fallback = DEFAULT_CODE[status];
  const codes = [...new Set(named.length > 0 ? named : fallback ? [fallback] : [])];
  if (codes.length === 0) return;
  media.examples = Object.fromEntries(
    codes.map((code) => {
      const error = new AppError(code, undefined, EXAMPLE_DETAILS[code] ?? {});
      const value = seed002 ? renderSeed002(error).body : exampleCanonical(error);
      return [code, { summary: code, value }];
    }),
  );
}

function exampleCanonical(error: AppError): unknown {
  const { body } = renderCanonical(error, 'abc-123-def');
  // A fixed timestamp, so the generated document does not change from run to run.
  return 'error' in body ? { ...body, error: { ...body.error, timestamp: '2025-12-22T15:30:00Z' } } : body;
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
