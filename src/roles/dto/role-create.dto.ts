import { NullableText, RequiredText } from '../../common/validation/field-decorators.js';

export class RoleCreateDto {
  @RequiredText(100, {
    example: 'Billing Manager',
    description: 'Unique in the organization, case-insensitively (system role names included).',
  })
  name: string;

  @NullableText(500, { example: 'Manages invoices and payment methods.' })
  description?: string | null;
}
