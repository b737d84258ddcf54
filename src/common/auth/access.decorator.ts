import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiSecurity } from '@nestjs/swagger';
import { ErrorCode } from '../errors/error-code.js';
import { ApiErrors } from '../openapi/api-errors.decorator.js';
import { AccessLevel } from './access-level.js';

export const ACCESS_METADATA = 'access-level';
export const API_KEY_SCHEME = 'api_key';
export const BEARER_SCHEME = 'bearer';
/** `Authorization: Bearer <JWT>`: an access token of the deployment's identity provider (OIDC_ISSUER). */
export const OIDC_SCHEME = 'oidc';

/** What any credential can answer: a missing or unknown key, a bad or expired access token, or a token whose subject has no account and no verified email. */
const CREDENTIAL_ERRORS = [
  ErrorCode.AUTHENTICATION_REQUIRED,
  ErrorCode.INVALID_API_KEY,
  ErrorCode.INVALID_TOKEN,
  ErrorCode.TOKEN_EXPIRED,
  ErrorCode.EMAIL_NOT_VERIFIED,
];

/** What the AuthGuard can answer at each level. */
const GUARD_ERRORS: Record<AccessLevel, ErrorCode[]> = {
  public: [],
  user: CREDENTIAL_ERRORS,
  member: [...CREDENTIAL_ERRORS, ErrorCode.ORGANIZATION_NOT_FOUND],
  admin: [...CREDENTIAL_ERRORS, ErrorCode.ORGANIZATION_NOT_FOUND, ErrorCode.INSUFFICIENT_PERMISSIONS],
  owner: [...CREDENTIAL_ERRORS, ErrorCode.ORGANIZATION_NOT_FOUND, ErrorCode.INSUFFICIENT_PERMISSIONS],
};

/**
 * The one declaration of who may call a route. The global AuthGuard enforces it, and the same
 * decorator documents it in OpenAPI (security schemes and the codes the guard can answer), so the
 * docs and the guard cannot disagree.
 */
export function Access(level: AccessLevel) {
  // x-access becomes the operation description's Authorization line (src/openapi/complete-operations.ts).
  const decorators: MethodDecorator[] = [
    SetMetadata(ACCESS_METADATA, level),
    ApiExtension('x-access', level),
    ApiErrors(...GUARD_ERRORS[level]),
  ];
  if (level !== 'public') {
    decorators.push(ApiSecurity(API_KEY_SCHEME), ApiBearerAuth(BEARER_SCHEME), ApiBearerAuth(OIDC_SCHEME));
  }
  return applyDecorators(...decorators);
}
