import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppError } from '../common/errors/app-error.js';
import { isForeignKeyViolation, isUniqueViolation } from '../common/errors/database-errors.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { newId } from '../common/ids/ids.js';
import { Page, PageQueryDto, paginate } from '../common/pagination/pagination.js';
import { RoleCreateDto } from './dto/role-create.dto.js';
import { RoleResponseDto } from './dto/role-response.dto.js';
import { RoleUpdateDto } from './dto/role-update.dto.js';
import { Role } from './role.entity.js';
import { customRoleKey } from './custom-role-key.js';

/**
 * Custom roles of one organization; every query carries the organization id, so another
 * organization's role ID is simply not found. The database decides every conflict: the name index
 * (ROLE_ALREADY_EXISTS) and the membership_roles FK (ROLE_IN_USE); `NOT is_system` in each write's
 * WHERE keeps the system roles read-only.
 */
@Injectable()
export class RolesService {
  constructor(@InjectRepository(Role) private readonly roles: Repository<Role>) {}

  async create(organizationId: string, input: RoleCreateDto): Promise<Role> {
    const role = this.roles.create({
      id: newId('role'),
      organizationId,
      key: customRoleKey(input.name),
      name: input.name,
      description: input.description ?? null,
      isSystem: false,
    });
    try {
      await this.roles.insert(role);
    } catch (error) {
      throw nameTakenOr(error, input.name);
    }
    return role;
  }

  list(organizationId: string, query: PageQueryDto): Promise<Page<RoleResponseDto>> {
    const qb = this.roles
      .createQueryBuilder('r')
      .where('r.organization_id = :organizationId', { organizationId });
    return paginate(qb, query, RoleResponseDto.from);
  }

  async get(organizationId: string, roleId: string): Promise<Role> {
    const role = await this.roles.findOneBy({ organizationId, id: roleId });
    if (!role) throw new AppError(ErrorCode.ROLE_NOT_FOUND, undefined, { role_id: roleId });
    return role;
  }

  /** Any update of a system role, even an empty one, is refused: they are read-only. */
  async update(organizationId: string, roleId: string, input: RoleUpdateDto): Promise<Role> {
    const changes: Partial<Pick<Role, 'name' | 'description'>> = {};
    if (input.name !== undefined) changes.name = input.name;
    if (input.description !== undefined) changes.description = input.description;
    let affected: number | undefined;
    try {
      ({ affected } = await this.roles.update(
        { organizationId, id: roleId, isSystem: false },
        { ...changes, updatedAt: () => 'now()' },
      ));
    } catch (error) {
      throw nameTakenOr(error, input.name);
    }
    if (!affected) await this.explainUntouched(organizationId, roleId);
    return this.get(organizationId, roleId);
  }

  async delete(organizationId: string, roleId: string): Promise<void> {
    let affected: number | null | undefined;
    try {
      ({ affected } = await this.roles.delete({ organizationId, id: roleId, isSystem: false }));
    } catch (error) {
      // Held by a membership, active or pending (a pending one holds its invitation's roles).
      if (isForeignKeyViolation(error, 'fk_membership_roles_role')) {
        throw new AppError(ErrorCode.ROLE_IN_USE, undefined, { role_id: roleId });
      }
      throw error;
    }
    if (!affected) await this.explainUntouched(organizationId, roleId);
  }

  /** A write that matched no row: there is no such role in the organization, or it is a system role. */
  private async explainUntouched(organizationId: string, roleId: string): Promise<never> {
    await this.get(organizationId, roleId);
    // It exists, so the write's `NOT is_system` excluded it (is_system never changes).
    throw new AppError(ErrorCode.ROLE_IS_SYSTEM, undefined, { role_id: roleId });
  }
}

function nameTakenOr(error: unknown, name: string | undefined): unknown {
  return isUniqueViolation(error, 'uq_roles_org_name')
    ? new AppError(ErrorCode.ROLE_ALREADY_EXISTS, undefined, { name })
    : error;
}
