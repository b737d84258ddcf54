import { iso } from '../http/timestamps.js';
import { AppError } from './app-error.js';

/** The canonical envelope, for every route but the org-slug ones. */
export interface CanonicalEnvelope {
  success: false;
  error: {
    code: string;
    message: string;
    system_message: string;
    type: 'client_error' | 'server_error';
    status: number;
    details: Record<string, unknown>;
    trace_id: string;
    timestamp: string;
  };
}

/** The org-slug page's envelope, for the `/api/v1/org/...` surface whose clients parse this shape. */
export interface OrgSlugEnvelope {
  code: number;
  detail: string;
  type: string;
  errors: { loc: (string | number)[]; msg: string; type: string }[];
}

export interface RenderedError {
  status: number;
  body: CanonicalEnvelope | OrgSlugEnvelope;
}

/**
 * The canonical envelope's `system_message`: the message with its first word lowercased, unless that word is an
 * acronym or otherwise cased on purpose (a capital after its first letter: "API", "IDs", "X-Request-Id").
 */
export function systemMessage(message: string): string {
  const firstWord = /^\S*/u.exec(message)![0];
  if (/\p{Lu}/u.test(firstWord.slice(1))) return message;
  return message.charAt(0).toLowerCase() + message.slice(1);
}

export function renderCanonical(error: AppError, traceId: string): RenderedError {
  return {
    status: error.status,
    body: {
      success: false,
      error: {
        code: error.code,
        message: error.message,
        system_message: systemMessage(error.message),
        type: error.status >= 500 ? 'server_error' : 'client_error',
        status: error.status,
        details: error.details,
        trace_id: traceId,
        timestamp: iso(new Date()),
      },
    },
  };
}

/** Stable machine-readable `type` strings of the org-slug page, by HTTP status. */
const ORG_SLUG_ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request',
  401: 'authentication_error',
  403: 'permission_denied',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  410: 'gone',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'validation_error',
  426: 'upgrade_required',
  429: 'rate_limited',
  500: 'internal_error',
  502: 'bad_gateway',
  503: 'service_unavailable',
  504: 'gateway_timeout',
};

/** The org-slug page documents 422 for validation errors; every other status is kept as it is. */
export function renderOrgSlug(error: AppError): RenderedError {
  const status = error.code === 'VALIDATION_ERROR' ? 422 : error.status;
  const fieldErrors = Array.isArray(error.details.errors)
    ? (error.details.errors as OrgSlugEnvelope['errors'])
    : [];
  return {
    status,
    body: {
      code: status,
      detail: error.message,
      type: ORG_SLUG_ERROR_TYPES[status] ?? (status >= 500 ? 'internal_error' : 'invalid_request'),
      errors: fieldErrors,
    },
  };
}
