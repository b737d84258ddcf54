import { PartialType } from '@nestjs/swagger';
import { RoleCreateDto } from './role-create.dto.js';

/**
 * Only the fields sent change. `description: null` clears it; `name` cannot be null
 * (`skipNullProperties: false` validates a null like any value). The key never changes.
 */
export class RoleUpdateDto extends PartialType(RoleCreateDto, { skipNullProperties: false }) {}
