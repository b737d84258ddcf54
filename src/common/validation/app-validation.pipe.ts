import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidatorOptions } from 'class-validator';
import { AppError, FieldError } from '../errors/app-error.js';

/** Carries class-validator's errors out of ValidationPipe so `transform` can add their location. */
class ValidationFailed {
  constructor(readonly errors: ValidationError[]) {}
}

function toSnake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

export function flattenValidationErrors(
  errors: ValidationError[],
  location: string,
  path: string[] = [],
): FieldError[] {
  return errors.flatMap((error) => {
    const loc = [location, ...path, error.property];
    const own = Object.entries(error.constraints ?? {}).map(([constraint, msg]) => ({
      loc,
      msg,
      type: constraint === 'whitelistValidation' ? 'extra_forbidden' : toSnake(constraint),
    }));
    return [...own, ...flattenValidationErrors(error.children ?? [], location, [...path, error.property])];
  });
}

/**
 * Paths of strings that are not well-formed Unicode (lone UTF-16 surrogates, which JSON allows as
 * `\ud800` escapes). They cannot be stored as UTF-8 and crash some validators, so they are a 400.
 */
// With the u flag a surrogate pair is one code point, so only a lone surrogate matches \p{Cs}.
const LONE_SURROGATE = /\p{Cs}/u;

export function malformedStringPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((item, i) => malformedStringPaths(item, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => malformedStringPaths(item, [...path, key]));
  }
  return [];
}

/** What every body, query and path is validated with. */
const VALIDATOR_OPTIONS: ValidatorOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  stopAtFirstError: false,
  validationError: { target: false, value: false },
};

/**
 * The pipe's checks of one object, synchronously (throws the same 400): for a bulk request's rows,
 * each validated on its own, where the pipe's asynchronous path would cost a promise per constraint.
 */
export function validateObjectSync<T extends object>(
  metatype: new () => T,
  value: unknown,
  location = 'body',
): T {
  if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw AppError.validation([{ loc: [location], msg: 'must be a JSON object', type: 'object_type' }]);
  }
  const malformed = malformedStringPaths(value);
  if (malformed.length > 0) {
    throw AppError.validation(
      malformed.map((path) => ({
        loc: [location, ...path],
        msg: 'must be well-formed Unicode text',
        type: 'string_unicode',
      })),
    );
  }
  const instance = plainToInstance(metatype, value);
  const errors = validateSync(instance, VALIDATOR_OPTIONS);
  if (errors.length > 0) throw AppError.validation(flattenValidationErrors(errors, location));
  return instance;
}

/**
 * ValidationPipe with the options every route needs, emitting field errors into our envelope
 * with their location (`body`, `query`, `path`).
 */
@Injectable()
export class AppValidationPipe extends ValidationPipe {
  constructor() {
    super({
      ...VALIDATOR_OPTIONS,
      transform: true,
      exceptionFactory: (errors) => new ValidationFailed(errors),
    });
  }

  /**
   * Synchronously: no validator in this codebase is asynchronous, and class-validator's
   * asynchronous path costs a promise per constraint on every request.
   */
  protected override validate(object: object, validatorOptions?: ValidatorOptions): ValidationError[] {
    return validateSync(object, validatorOptions);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && metadata.metatype && metadata.metatype !== Object) {
      if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw AppError.validation([
          { loc: ['body'], msg: 'The request body must be a JSON object.', type: 'object_type' },
        ]);
      }
    }
    const location = metadata.type === 'param' ? 'path' : metadata.type;
    const malformed = malformedStringPaths(value);
    if (malformed.length > 0) {
      throw AppError.validation(
        malformed.map((path) => ({
          loc: [location, ...path],
          msg: 'must be well-formed Unicode text',
          type: 'string_unicode',
        })),
      );
    }
    try {
      return await super.transform(value, metadata);
    } catch (error) {
      if (error instanceof ValidationFailed) {
        throw AppError.validation(flattenValidationErrors(error.errors, location));
      }
      throw error;
    }
  }
}
