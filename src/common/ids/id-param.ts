import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { IdPrefix, idPattern } from './ids.js';

/** A string property that must be a well-formed `prefix_…` ID; documented with its pattern. */
export function IsPrefixedId(prefix: IdPrefix, options: { each?: boolean } = {}): PropertyDecorator {
  return applyDecorators(
    IsString({ each: options.each }),
    Matches(idPattern(prefix), { each: options.each, message: `$property must be a ${prefix}_ ID` }),
  );
}

export function ApiId(prefix: IdPrefix, options: ApiPropertyOptions = {}): PropertyDecorator {
  return ApiProperty({
    type: String,
    pattern: idPattern(prefix).source,
    example: `${prefix}_abc123`,
    ...options,
  } as ApiPropertyOptions);
}
