import { ERROR_CODES, ErrorCode } from '../common/errors/error-code.js';

/**
 * When each code is answered, as the OpenAPI document tells a client. A code without an entry is
 * described by its message (src/common/errors/error-code.ts), which suits codes whose message says it all.
 */
const WHEN: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.VALIDATION_ERROR]:
    'The request is invalid (body, query, path parameter or header); each field error names where (`loc`), what (`msg`) and its kind (`type`).',
  [ErrorCode.AUTHENTICATION_REQUIRED]: 'No API key was sent (`X-API-Key` or `Authorization: Bearer`).',
  [ErrorCode.INVALID_API_KEY]: 'The API key is unknown, malformed or revoked.',
  [ErrorCode.INSUFFICIENT_PERMISSIONS]:
    "The caller's role in the organization does not allow this (only an Owner grants or removes the Owner role, or acts on an Owner).",
  [ErrorCode.ORGANIZATION_NOT_FOUND]:
    'The organization does not exist, or the caller is not an active member of it (the two look alike).',
  [ErrorCode.USER_NOT_FOUND]: 'The user is not a member of this organization.',
  [ErrorCode.ROLE_NOT_FOUND]: 'No such role in this organization.',
  [ErrorCode.DEPARTMENT_NOT_FOUND]: 'No such department in this organization.',
  [ErrorCode.INVITATION_NOT_FOUND]:
    'No invitation matches: none in this organization, or the token is unknown, malformed, forged or from before a resend (all alike, so tokens cannot be probed).',
  [ErrorCode.API_KEY_NOT_FOUND]: 'The caller has no active API key with this ID.',
  [ErrorCode.USER_ALREADY_EXISTS]:
    'The email belongs to a member of the organization (active or deactivated).',
  [ErrorCode.INVITATION_ALREADY_PENDING]:
    'A pending invitation for this email exists (the canonical envelope names it in `details.invitation_id`).',
  [ErrorCode.INVITATION_EXPIRED]: 'The invitation has expired.',
  [ErrorCode.INVITATION_REVOKED]: 'The invitation was revoked.',
  [ErrorCode.INVITATION_DECLINED]: 'The invitation was declined.',
  [ErrorCode.INVITATION_ALREADY_ACCEPTED]: 'The invitation was already accepted.',
  [ErrorCode.INVITATION_EMAIL_MISMATCH]:
    "The invitee has an active account and the call does not carry that account's API key.",
  [ErrorCode.LAST_OWNER]: 'The change would leave the organization without an active Owner.',
  [ErrorCode.MEMBER_NOT_ACTIVE]: 'The member is not active.',
  [ErrorCode.MEMBER_NOT_DEACTIVATED]: 'The member is not deactivated.',
  [ErrorCode.ROLE_IS_SYSTEM]:
    'The role is a system role (Owner, Admin, Member), which cannot be changed or deleted.',
  [ErrorCode.ROLE_ALREADY_EXISTS]: 'Another role of the organization has this name, case-insensitively.',
  [ErrorCode.DEPARTMENT_ALREADY_EXISTS]:
    'Another department of the organization has this name, case-insensitively.',
  [ErrorCode.ORGANIZATION_SLUG_TAKEN]: 'Another organization has this slug.',
  [ErrorCode.UNSUPPORTED_MEDIA_TYPE]: 'The body is not `application/json`.',
  [ErrorCode.RATE_LIMITED]:
    "A rate limit is spent (the API key's, the client address's on public token routes, the organization's hourly invitations, a resend's cooldown); retry after `Retry-After` seconds.",
  [ErrorCode.INTERNAL_ERROR]: "An unexpected error; it is logged under the response's `X-Request-Id`.",
  [ErrorCode.SERVICE_UNAVAILABLE]: 'The database is unavailable; retry later.',
};

export function whenAnswered(code: ErrorCode): string {
  return WHEN[code] ?? ERROR_CODES[code].message;
}

/** A response's description: one line per code it can carry. */
export function describeCodes(codes: readonly ErrorCode[]): string {
  const lines = codes.map((code) => `\`${code}\`: ${whenAnswered(code)}`);
  return lines.length === 1 ? lines[0] : lines.map((line) => `- ${line}`).join('\n');
}
