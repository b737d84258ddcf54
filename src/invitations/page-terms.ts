import { AppError, FieldError } from '../common/errors/app-error.js';
import { ErrorCode } from '../common/errors/error-code.js';

/**
 * How one published page words the invitation service's errors. The service speaks its own terms
 * (`loc: ['body', 'role_ids', i]`, each code's default message); a route that reproduces a page
 * translates them here, so the service knows no page's field names or messages.
 */
export interface PageTerms {
  /**
   * The service's list field → the page's field for it. The pages that rename one send a single
   * value where the service takes a list, so the index into the list is dropped with the rename.
   */
  fields?: Readonly<Record<string, string>>;
  /** The page's own message for an error code. */
  messages?: Readonly<Partial<Record<ErrorCode, string>>>;
}

/** The error in the page's terms; anything that is not an AppError, or that the terms do not name, passes unchanged. */
export function inPageTerms(error: unknown, terms: PageTerms): unknown {
  if (!(error instanceof AppError)) return error;
  let result = error;
  if (terms.fields && result.code === ErrorCode.VALIDATION_ERROR) result = rekeyed(result, terms.fields);
  const message = terms.messages?.[result.code];
  if (message !== undefined) result = new AppError(result.code, message, result.details, result.headers);
  return result;
}

/** Runs the service call and rethrows what it throws in the page's terms. */
export async function inTermsOf<T>(terms: PageTerms, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw inPageTerms(error, terms);
  }
}

function rekeyed(error: AppError, fields: Readonly<Record<string, string>>): AppError {
  const errors = (error.details.errors ?? []) as FieldError[];
  const renamed = errors.map((e) => {
    const field = String(e.loc[1]);
    return Object.hasOwn(fields, field) ? { ...e, loc: [e.loc[0], fields[field]] } : e;
  });
  return new AppError(error.code, error.message, { ...error.details, errors: renamed }, error.headers);
}
