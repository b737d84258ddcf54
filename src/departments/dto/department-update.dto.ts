import { PartialType } from '@nestjs/swagger';
import { DepartmentCreateDto } from './department-create.dto.js';

/**
 * Only the fields sent change. `description: null` clears it; `name` cannot be null
 * (`skipNullProperties: false` validates a null like any value).
 */
export class DepartmentUpdateDto extends PartialType(DepartmentCreateDto, { skipNullProperties: false }) {}
