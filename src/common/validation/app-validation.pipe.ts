import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError, FieldError } from '../errors/app-error.js';

/** Carries class-validator's errors out of ValidationPipe so `transform` can add their location. */
class ValidationFailed {
  constructor(readonly errors: ValidationError[]) {}
}

function toSnake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

export function flattenValidationErrors(errors: ValidationError[], location: string, path: string[] = []): FieldError[] {
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
 * ValidationPipe with the options every route needs, emitting field errors into our envelope
 * with their location (`body`, `query`, `path`).
 */
@Injectable()
export class AppValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      stopAtFirstError: false,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => new ValidationFailed(errors),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && metadata.metatype && metadata.metatype !== Object) {
      if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw AppError.validation([{ loc: ['body'], msg: 'The request body must be a JSON object.', type: 'object_type' }]);
      }
    }
    try {
      return await super.transform(value, metadata);
    } catch (error) {
      if (error instanceof ValidationFailed) {
        const location = metadata.type === 'param' ? 'path' : metadata.type;
        throw AppError.validation(flattenValidationErrors(error.errors, location));
      }
      throw error;
    }
  }
}
