import { Transform } from 'class-transformer';
import { ValidateIf, ValidationOptions } from 'class-validator';

/** Trims string input before it is validated, so `"  "` is empty and length limits apply to what is stored. */
export function Trim(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));
}

/**
 * The field may be left out, but `null` is not a value for it. class-validator's IsOptional lets
 * `null` through, which for a NOT NULL column would reach the database as a 500.
 */
export function IsOmittable(options?: ValidationOptions): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined, options);
}
