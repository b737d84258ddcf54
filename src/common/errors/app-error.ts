import { ERROR_CODES, ErrorCode } from './error-code.js';

/** One field error, in the org-slug page's vocabulary: where, what, and a machine-readable kind. */
export interface FieldError {
  loc: (string | number)[];
  msg: string;
  type: string;
}

/**
 * The one domain error. Services throw it; only the global filter turns it into a response.
 * `headers` carries response headers that belong to the error (e.g. `Retry-After`).
 */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message ?? ERROR_CODES[code].message);
    this.name = 'AppError';
    this.status = ERROR_CODES[code].status;
  }

  static validation(errors: FieldError[], message = 'The request is invalid.'): AppError {
    return new AppError(ErrorCode.VALIDATION_ERROR, message, { errors });
  }
}
