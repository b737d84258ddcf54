import { Injectable } from '@nestjs/common';
import { SYSTEM_ROLES } from '../common/auth/system-roles.js';
import { newId } from '../common/ids/ids.js';
import { Db } from '../database/transactions.js';
import { Role } from './role.entity.js';

/** Writes to `roles` made for other modules, in the caller's transaction through `Db`. */
@Injectable()
export class RolesRepository {
  constructor(private readonly db: Db) {}

  /** The three system roles a new organization is created with; returns the Owner role's id. */
  async insertSystemRoles(organizationId: string): Promise<{ ownerRoleId: string }> {
    const manager = this.db.manager();
    const roles = SYSTEM_ROLES.map(({ key, name, description }) =>
      manager.create(Role, { id: newId('role'), organizationId, key, name, description, isSystem: true }),
    );
    await manager.insert(Role, roles);
    return { ownerRoleId: roles.find((role) => role.key === 'owner')!.id };
  }
}
