import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiPropertyOptions } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, MaxLength, ValidateIf, ValidationOptions } from 'class-validator';

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

/**
 * The decorators as if written one above the other: applied bottom-up, so validation constraints
 * (and the field errors they produce) keep the order they had when the fields spelled them out.
 */
function stacked(...decorators: PropertyDecorator[]): PropertyDecorator {
  return applyDecorators(...decorators.reverse());
}

/** A required name-like text: trimmed, then 1 to `maxLength` characters. */
export function RequiredText(maxLength: number, doc: ApiPropertyOptions): PropertyDecorator {
  return stacked(
    ApiProperty({ minLength: 1, maxLength, ...doc } as ApiPropertyOptions),
    Trim(),
    IsString(),
    IsNotEmpty(),
    MaxLength(maxLength),
  );
}

/** An optional text of at most `maxLength` characters, trimmed; `null` is a value (it clears the field). */
export function NullableText(maxLength: number, doc: ApiPropertyOptions): PropertyDecorator {
  return stacked(
    ApiPropertyOptional({ type: String, nullable: true, maxLength, ...doc } as ApiPropertyOptions),
    IsOptional(),
    Trim(),
    IsString(),
    MaxLength(maxLength),
  );
}
