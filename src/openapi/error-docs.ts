import { ERROR_CODES, ErrorCode } from '../common/errors/error-code.js';

/**
 * When each code is answered, as the OpenAPI document tells a client. A code without an entry is
 * described by its message (src/common/errors/error-code.ts), which suits codes whose message says it all.
 */
const WHEN: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.VALIDATION_ERROR]:
    'The request is invalid (body, query, path parameter or header); each field error names where (`loc`), what (`msg`) and its kind (`type`).',
  [ErrorCode.AUTHENTICATION_REQUIRED]:
    'No credential was sent (an API key as `X-API-Key` or `Authorization: Bearer`, or an OIDC access token).',
  [ErrorCode.INVALID_API_KEY]: 'The API key is unknown, malformed or revoked.',
  [ErrorCode.INVALID_TOKEN]:
    "The OIDC access token is malformed, or its signature, issuer or audience do not check out against the deployment's identity provider.",
  [ErrorCode.TOKEN_EXPIRED]: 'The OIDC access token has expired.',
  [ErrorCode.EMAIL_NOT_VERIFIED]:
    'An OIDC access token whose subject is not linked to an account yet and that carries no verified email.',
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
  [ErrorCode.API_KEY_LIMIT_REACHED]:
    'The caller already holds MAX_API_KEYS_PER_USER unrevoked keys (`details.limit`); revoke one first.',
  [ErrorCode.DOMAIN_NOT_FOUND]: 'No such domain in this organization.',
  [ErrorCode.DOMAIN_ALREADY_EXISTS]: 'The organization already has this domain.',
  [ErrorCode.DOMAIN_TAKEN]: 'Another organization has verified this domain.',
  [ErrorCode.DOMAIN_VERIFICATION_FAILED]:
    'No DNS TXT record holds the verification value, or the lookup failed (`details.reason`).',
  [ErrorCode.EMAIL_DOMAIN_NOT_ALLOWED]:
    'The organization invites only emails of its verified domains (`invite_policy: verified_domains_only`).',
  [ErrorCode.JOIN_NOT_ALLOWED]:
    'The caller may not join: no such organization, auto-join off, or no verified email of the caller on its verified domains.',
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
  [ErrorCode.EMAIL_VERIFICATION_REQUIRED]:
    'The account must prove it controls its email: a 6-digit code was emailed (`details.code_sent`, `details.retry_after_seconds`); call again with `email_code`.',
  [ErrorCode.EMAIL_CODE_INVALID]: 'The verification code is wrong (`details.attempts_remaining`).',
  [ErrorCode.EMAIL_CODE_EXPIRED]:
    'No verification code is valid: none was requested, or it expired, was used or ran out of tries.',
  [ErrorCode.EMAIL_ALREADY_VERIFIED]: "The caller's email is already verified.",
  [ErrorCode.LAST_OWNER]: 'The change would leave the organization without an active Owner.',
  [ErrorCode.MEMBER_NOT_ACTIVE]: 'The member is not active.',
  [ErrorCode.MEMBER_NOT_DEACTIVATED]: 'The member is not deactivated.',
  [ErrorCode.ROLE_IS_SYSTEM]:
    'The role is a system role (Owner, Admin, Member), which cannot be changed or deleted.',
  [ErrorCode.ROLE_ALREADY_EXISTS]: 'Another role of the organization has this name, case-insensitively.',
  [ErrorCode.DEPARTMENT_ALREADY_EXISTS]:
    'Another department of the organization has this name, case-insensitively.',
  [ErrorCode.ORGANIZATION_SLUG_TAKEN]: 'Another organization has this slug.',
  [ErrorCode.IDEMPOTENCY_KEY_IN_USE]:
    'A request with this Idempotency-Key is still being processed; retry shortly.',
  [ErrorCode.IDEMPOTENCY_KEY_REUSED]: 'This Idempotency-Key was used with a different request.',
  [ErrorCode.NOT_FOUND]:
    'No route matches the path (e.g. an organization reference longer than any ID or slug).',
  [ErrorCode.UNSUPPORTED_MEDIA_TYPE]:
    'The body is not in a media type the operation accepts (`application/json`; the bulk invite also takes `text/csv`).',
  [ErrorCode.RATE_LIMITED]:
    "A rate limit is spent (the caller's request budget, the client address's on public token routes, the organization's hourly email budget, organizations created per user and hour, a resend's or a verification code's cooldown; `details.retry_after_seconds`); retry after `Retry-After` seconds.",
  [ErrorCode.INTERNAL_ERROR]: "An unexpected error; it is logged under the response's `X-Request-Id`.",
  [ErrorCode.SERVICE_UNAVAILABLE]:
    'A dependency (the database, Redis, the identity provider) is unavailable; retry later.',
};

export function whenAnswered(code: ErrorCode): string {
  return WHEN[code] ?? ERROR_CODES[code].message;
}

/** A response's description: one line per code it can carry. */
export function describeCodes(codes: readonly ErrorCode[]): string {
  const lines = codes.map((code) => `\`${code}\`: ${whenAnswered(code)}`);
  return lines.length === 1 ? lines[0] : lines.map((line) => `- ${line}`).join('\n');
}
