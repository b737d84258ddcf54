import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { OrgNamedResourceService } from '../common/crud/org-named-resource.service.js';
import { AppError } from '../common/errors/app-error.js';
import { isForeignKeyViolation } from '../common/errors/database-errors.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { newId } from '../common/ids/ids.js';
import { CursorCodec } from '../common/pagination/cursor-codec.js';
import { customRoleKey } from './custom-role-key.js';
import { RoleResponseDto } from './dto/role-response.dto.js';
import { Role } from './role.entity.js';

/**
 * Custom roles of one organization (the shared rules: OrgNamedResourceService). `NOT is_system`
 * in each write's WHERE keeps the system roles read-only; the membership_roles FK decides
 * ROLE_IN_USE.
 */
@Injectable()
export class RolesService extends OrgNamedResourceService<Role, RoleResponseDto> {
  constructor(@InjectRepository(Role) roles: Repository<Role>, cursors: CursorCodec) {
    super(roles, cursors, {
      list: 'roles',
      idField: 'role_id',
      notFound: ErrorCode.ROLE_NOT_FOUND,
      nameTaken: ErrorCode.ROLE_ALREADY_EXISTS,
      nameIndex: 'uq_roles_org_name',
      writable: { isSystem: false },
      toResponse: RoleResponseDto.from,
    });
  }

  protected newRow(organizationId: string, input: { name: string; description: string | null }): Role {
    return this.rows.create({
      id: newId('role'),
      organizationId,
      key: customRoleKey(input.name),
      ...input,
      isSystem: false,
    });
  }

  override async delete(organizationId: string, roleId: string): Promise<void> {
    try {
      await super.delete(organizationId, roleId);
    } catch (error) {
      // Held by a membership, active or pending (a pending one holds its invitation's roles), or granted by auto-join.
      if (
        isForeignKeyViolation(error, 'fk_membership_roles_role') ||
        isForeignKeyViolation(error, 'fk_organizations_auto_join_role')
      ) {
        throw new AppError(ErrorCode.ROLE_IN_USE, undefined, { role_id: roleId });
      }
      throw error;
    }
  }

  /** A write that matched no row: no such role in the organization, or a system role (is_system never changes). */
  protected override async explainUntouched(organizationId: string, roleId: string): Promise<never> {
    await this.find(organizationId, roleId);
    throw new AppError(ErrorCode.ROLE_IS_SYSTEM, undefined, { role_id: roleId });
  }
}
