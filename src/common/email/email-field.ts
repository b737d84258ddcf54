import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsString, ValidateBy, ValidationArguments } from 'class-validator';
import { normalizeEmail } from './email-address.js';

/**
 * A request field (body or query) holding an email: replaced by its normalised form before
 * validation, or refused with a field error saying why (`type` `is_email`, the org-slug page's vocabulary).
 * The normalisation itself is `normalizeEmail`, the one every route and command uses.
 */
export function IsNormalizedEmail(): PropertyDecorator {
  return applyDecorators(
    // A value that cannot be normalised is left as sent, so the validator below names the reason.
    Transform(({ value }: { value: unknown }) => {
      if (typeof value !== 'string') return value;
      const result = normalizeEmail(value);
      return result.ok ? result.email : value;
    }),
    IsString(),
    // Named isEmail so that the field error's type stays `is_email`, as clients already expect.
    ValidateBy({
      name: 'isEmail',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && normalizeEmail(value).ok,
        defaultMessage: (args?: ValidationArguments) => {
          const result = typeof args?.value === 'string' ? normalizeEmail(args.value) : undefined;
          return result && !result.ok ? result.reason : 'email must be a valid email address';
        },
      },
    }),
  );
}
