import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { MAX_EMAIL_LENGTH } from '../../common/email/email-address.js';
import { IsNormalizedEmail } from '../../common/email/email-field.js';
import { IsPrefixedId } from '../../common/ids/id-param.js';
import { idPattern } from '../../common/ids/ids.js';
import { IsOmittable, Trim } from '../../common/validation/field-decorators.js';

/**
 * Request fields shared by the four ways to create an invitation, so their rules cannot drift apart.
 * Emails are normalised before validation (src/common/email): that is the form they are stored and compared in.
 */
export const MAX_FULL_NAME_LENGTH = 255;
export const MAX_CUSTOM_MESSAGE_LENGTH = 2000;
export const MAX_ROLE_IDS = 50;
export const MAX_DEPARTMENT_IDS = 100;

export function InviteeEmail(description = 'Email address of the user to invite.'): PropertyDecorator {
  return applyDecorators(
    ApiProperty({
      format: 'email',
      maxLength: MAX_EMAIL_LENGTH,
      example: 'newuser@example.com',
      description,
    }),
    IsNormalizedEmail(),
  );
}

export function SendInvitation(description = 'Whether to send the invitation email.'): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ default: true, example: true, description }),
    IsOmittable(),
    IsBoolean(),
  );
}

export function FullName(
  description = 'The full name of the user. Max 255 characters. Becomes the name of the account only when this ' +
    'invitation creates the account: an organization never renames an account its invitation did not create.',
): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      type: String,
      nullable: true,
      maxLength: MAX_FULL_NAME_LENGTH,
      example: 'Jane Doe',
      description,
    }),
    Trim(),
    IsOptional(),
    IsString(),
    IsNotEmpty(),
    MaxLength(MAX_FULL_NAME_LENGTH),
  );
}

export function CustomMessage(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      type: String,
      nullable: true,
      maxLength: MAX_CUSTOM_MESSAGE_LENGTH,
      example: 'Welcome to the team!',
      description:
        'Custom message to include in the invitation email (at most 2000 characters; shown HTML-escaped).',
    }),
    Trim(),
    IsOptional(),
    IsString(),
    MaxLength(MAX_CUSTOM_MESSAGE_LENGTH),
  );
}

/** `noDefault`: a bulk row or its defaults, where a missing list means "inherit", not `[]`. */
export function RoleIds({ noDefault = false } = {}): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      type: [String],
      items: { type: 'string', pattern: idPattern('role').source },
      maxItems: MAX_ROLE_IDS,
      default: noDefault ? undefined : [],
      example: ['role_abc123'],
      description:
        'Role IDs to assign (format `role_*`), each a role of this organization. Empty: the Member role. ' +
        'Only an Owner may grant the Owner role.',
    }),
    IsOmittable(),
    IsArray(),
    ArrayMaxSize(MAX_ROLE_IDS),
    IsPrefixedId('role', { each: true }),
  );
}

export function DepartmentIds({ noDefault = false } = {}): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      type: [String],
      items: { type: 'string', pattern: idPattern('dept').source },
      maxItems: MAX_DEPARTMENT_IDS,
      default: noDefault ? undefined : [],
      example: ['dept_eng001'],
      description:
        'Department IDs to assign the user to (format `dept_*`), each a department of this organization.',
    }),
    IsOmittable(),
    IsArray(),
    ArrayMaxSize(MAX_DEPARTMENT_IDS),
    IsPrefixedId('dept', { each: true }),
  );
}

export function ExpiresInDays(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      type: 'integer',
      minimum: 1,
      maximum: 30,
      example: 7,
      description: 'Days until the link expires (1–30). Default: INVITATION_TTL_DAYS (7).',
    }),
    IsOmittable(),
    IsInt(),
    Min(1),
    Max(30),
  );
}
