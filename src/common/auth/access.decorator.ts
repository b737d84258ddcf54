import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiSecurity } from '@nestjs/swagger';
import { ApiErrors } from '../openapi/api-errors.decorator.js';
import { AccessLevel } from './access-level.js';

export const ACCESS_METADATA = 'access-level';
export const API_KEY_SCHEME = 'api_key';
export const BEARER_SCHEME = 'bearer';
/** `Authorization: Bearer <JWT>`: an access token of the deployment's identity provider (OIDC_ISSUER). */
export const OIDC_SCHEME = 'oidc';

const ORG_404 =
  'The organization does not exist or the caller is not an active member (ORGANIZATION_NOT_FOUND)';
const TOKEN_403 =
  'An OIDC access token whose subject is not linked to an account yet and that carries no verified email (EMAIL_NOT_VERIFIED)';

/**
 * The one declaration of who may call a route. The global AuthGuard enforces it, and the same
 * decorator documents it in OpenAPI (security schemes and the 401/403/404 it implies), so the docs
 * and the guard cannot disagree.
 */
export function Access(level: AccessLevel, options: { seed002?: boolean } = {}) {
  // x-access becomes the operation description's Authorization line (src/openapi/complete-operations.ts).
  const decorators: (ClassDecorator & MethodDecorator)[] = [
    SetMetadata(ACCESS_METADATA, level),
    ApiExtension('x-access', level),
  ];
  if (level !== 'public') {
    decorators.push(
      ApiSecurity(API_KEY_SCHEME),
      ApiBearerAuth(BEARER_SCHEME),
      ApiBearerAuth(OIDC_SCHEME),
      ApiErrors([401], options) as ClassDecorator & MethodDecorator,
      ApiErrors([403], { ...options, descriptions: { 403: TOKEN_403 } }) as ClassDecorator & MethodDecorator,
    );
  }
  if (level === 'member')
    decorators.push(
      ApiErrors([404], { ...options, descriptions: { 404: ORG_404 } }) as ClassDecorator & MethodDecorator,
    );
  if (level === 'admin' || level === 'owner') {
    decorators.push(
      ApiErrors([403, 404], { ...options, descriptions: { 404: ORG_404 } }) as ClassDecorator &
        MethodDecorator,
    );
  }
  return applyDecorators(...decorators);
}
