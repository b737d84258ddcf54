import { NullableText, RequiredText } from '../../common/validation/field-decorators.js';

export class DepartmentCreateDto {
  @RequiredText(100, {
    example: 'Engineering',
    description: 'Unique in the organization, case-insensitively.',
  })
  name: string;

  @NullableText(500, { example: 'Builds and runs the product.' })
  description?: string | null;
}
