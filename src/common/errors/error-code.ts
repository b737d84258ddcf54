/**
 * Every error code the API can return, with its HTTP status. The table is typed as a
 * `Record<ErrorCode, …>`, so adding a code without a status (or a message) fails to compile.
 */
export enum ErrorCode {
  VALIDATION_ERROR = 'VALIDATION_ERROR',
  AUTHENTICATION_REQUIRED = 'AUTHENTICATION_REQUIRED',
  INVALID_API_KEY = 'INVALID_API_KEY',
  INSUFFICIENT_PERMISSIONS = 'INSUFFICIENT_PERMISSIONS',
  ORGANIZATION_NOT_FOUND = 'ORGANIZATION_NOT_FOUND',
  USER_NOT_FOUND = 'USER_NOT_FOUND',
  ROLE_NOT_FOUND = 'ROLE_NOT_FOUND',
  DEPARTMENT_NOT_FOUND = 'DEPARTMENT_NOT_FOUND',
  INVITATION_NOT_FOUND = 'INVITATION_NOT_FOUND',
  API_KEY_NOT_FOUND = 'API_KEY_NOT_FOUND',
  USER_ALREADY_EXISTS = 'USER_ALREADY_EXISTS',
  INVITATION_ALREADY_PENDING = 'INVITATION_ALREADY_PENDING',
  INVITATION_EXPIRED = 'INVITATION_EXPIRED',
  INVITATION_REVOKED = 'INVITATION_REVOKED',
  INVITATION_DECLINED = 'INVITATION_DECLINED',
  INVITATION_ALREADY_ACCEPTED = 'INVITATION_ALREADY_ACCEPTED',
  INVITATION_EMAIL_MISMATCH = 'INVITATION_EMAIL_MISMATCH',
  LAST_OWNER = 'LAST_OWNER',
  ROLE_IS_SYSTEM = 'ROLE_IS_SYSTEM',
  ROLE_IN_USE = 'ROLE_IN_USE',
  ROLE_ALREADY_EXISTS = 'ROLE_ALREADY_EXISTS',
  DEPARTMENT_ALREADY_EXISTS = 'DEPARTMENT_ALREADY_EXISTS',
  ORGANIZATION_SLUG_TAKEN = 'ORGANIZATION_SLUG_TAKEN',
  CONFLICT = 'CONFLICT',
  NOT_FOUND = 'NOT_FOUND',
  METHOD_NOT_ALLOWED = 'METHOD_NOT_ALLOWED',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE = 'UNSUPPORTED_MEDIA_TYPE',
  RATE_LIMITED = 'RATE_LIMITED',
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
  INTERNAL_ERROR = 'INTERNAL_ERROR',
}

interface CodeSpec {
  status: number;
  message: string;
}

export const ERROR_CODES: Record<ErrorCode, CodeSpec> = {
  VALIDATION_ERROR: { status: 400, message: 'The request is invalid.' },
  AUTHENTICATION_REQUIRED: { status: 401, message: 'Authentication is required.' },
  INVALID_API_KEY: { status: 401, message: 'The API key is invalid or revoked.' },
  INSUFFICIENT_PERMISSIONS: { status: 403, message: 'You do not have permission to perform this action.' },
  ORGANIZATION_NOT_FOUND: { status: 404, message: 'Organization not found.' },
  USER_NOT_FOUND: { status: 404, message: 'User not found.' },
  ROLE_NOT_FOUND: { status: 404, message: 'Role not found.' },
  DEPARTMENT_NOT_FOUND: { status: 404, message: 'Department not found.' },
  INVITATION_NOT_FOUND: { status: 404, message: 'No pending invitation found' },
  API_KEY_NOT_FOUND: { status: 404, message: 'API key not found.' },
  USER_ALREADY_EXISTS: { status: 409, message: 'An account with this email already exists.' },
  INVITATION_ALREADY_PENDING: {
    status: 409,
    message: 'A pending invitation for this email already exists.',
  },
  INVITATION_EXPIRED: { status: 410, message: 'This invitation has expired.' },
  INVITATION_REVOKED: { status: 410, message: 'This invitation has been revoked.' },
  INVITATION_DECLINED: { status: 410, message: 'This invitation has been declined.' },
  INVITATION_ALREADY_ACCEPTED: { status: 409, message: 'This invitation has already been accepted.' },
  INVITATION_EMAIL_MISMATCH: {
    status: 403,
    message: 'This invitation belongs to another account; accept it with that account.',
  },
  LAST_OWNER: { status: 409, message: 'The last active owner cannot be removed, deactivated or demoted.' },
  ROLE_IS_SYSTEM: { status: 409, message: 'System roles cannot be changed or deleted.' },
  ROLE_IN_USE: { status: 409, message: 'The role is still held by a member or named by a pending invitation.' },
  ROLE_ALREADY_EXISTS: { status: 409, message: 'A role with this name already exists.' },
  DEPARTMENT_ALREADY_EXISTS: { status: 409, message: 'A department with this name already exists.' },
  ORGANIZATION_SLUG_TAKEN: { status: 409, message: 'This organization slug is already taken.' },
  CONFLICT: { status: 409, message: 'The request conflicts with the current state of the resource.' },
  NOT_FOUND: { status: 404, message: 'The requested route does not exist.' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'The method is not allowed for this route.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is larger than 1 MB.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Request bodies must be application/json.' },
  RATE_LIMITED: { status: 429, message: 'Too many requests; retry later.' },
  SERVICE_UNAVAILABLE: { status: 503, message: 'The service is temporarily unavailable; retry later.' },
  INTERNAL_ERROR: { status: 500, message: 'An unexpected error occurred.' },
};
