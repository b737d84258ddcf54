import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppError } from '../common/errors/app-error.js';
import { isUniqueViolation } from '../common/errors/database-errors.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { newId } from '../common/ids/ids.js';
import { CursorCodec } from '../common/pagination/cursor-codec.js';
import { Page, PageQueryDto, paginate } from '../common/pagination/pagination.js';
import { Db } from '../database/transactions.js';
import { Actor } from '../events/actor.js';
import { EventLog } from '../events/event-log.js';
import { RolesRepository } from '../roles/roles.repository.js';
import { Membership } from '../users/membership.entity.js';
import { MembershipsRepository } from '../users/memberships.repository.js';
import { OrganizationCreateDto } from './dto/organization-create.dto.js';
import { OrganizationResponseDto } from './dto/organization-response.dto.js';
import { OrganizationUpdateDto } from './dto/organization-update.dto.js';
import { resolveAutoJoinRole } from './auto-join-role.js';
import { Organization } from './organization.entity.js';
import { slugify, withSuffix } from '../common/ids/slug.js';

@Injectable()
export class OrganizationsService {
  constructor(
    private readonly db: Db,
    private readonly roles: RolesRepository,
    private readonly memberships: MembershipsRepository,
    private readonly events: EventLog,
    @InjectRepository(Organization) private readonly organizations: Repository<Organization>,
    private readonly cursors: CursorCodec,
  ) {}

  /**
   * Creates the organization, its three system roles and the owner's active membership in one
   * transaction. A derived slug that is taken is retried with a suffix; an explicit one is a 409.
   */
  async create(input: OrganizationCreateDto, ownerUserId: string): Promise<Organization> {
    const explicit = input.slug !== undefined;
    let slug = input.slug ?? slugify(input.name);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction(() => this.createWithin(input.name, slug, ownerUserId));
      } catch (error) {
        if (explicit || attempt >= 4) throw slugTakenOr(error, slug);
        if (!isUniqueViolation(error, 'uq_organizations_slug')) throw error;
        slug = withSuffix(slugify(input.name));
      }
    }
  }

  /**
   * Inserts the organization, its system roles and the owner membership within the caller's
   * transaction. Plain INSERTs (not `save`, which first SELECTs each row by id): the unique slug
   * index is what decides, and the RETURNING fills the timestamps in.
   */
  async createWithin(name: string, slug: string, ownerUserId: string): Promise<Organization> {
    const manager = this.db.manager();
    const org = manager.create(Organization, {
      id: newId('org'),
      name,
      slug,
      invitePolicy: 'any',
      autoJoinEnabled: false,
      autoJoinRoleId: null,
    });
    await manager.insert(Organization, org);
    const { ownerRoleId } = await this.roles.insertSystemRoles(org.id);
    await this.memberships.insertActive(org.id, ownerUserId, ownerRoleId);
    return org;
  }

  /** True before the first organization exists (the bootstrap CLI's test). */
  async noneExist(): Promise<boolean> {
    return !(await this.organizations.exists());
  }

  async get(organizationId: string): Promise<Organization> {
    const org = await this.organizations.findOneBy({ id: organizationId });
    if (!org) throw new AppError(ErrorCode.ORGANIZATION_NOT_FOUND);
    return org;
  }

  /** The organizations where the user is an active member. */
  listForUser(userId: string, query: PageQueryDto): Promise<Page<OrganizationResponseDto>> {
    const qb = this.organizations
      .createQueryBuilder('o')
      .innerJoin(
        Membership,
        'm',
        `m.organization_id = o.id AND m.user_id = :userId AND m.account_state = 'active'`,
        {
          userId,
        },
      );
    return paginate(qb, query, OrganizationResponseDto.from, this.cursors.for('organizations', userId));
  }

  /**
   * One transaction: the auto-join role is checked (and locked) with the write that names it, and
   * `organization.updated` is appended with the organization as it then is.
   */
  async update(organizationId: string, input: OrganizationUpdateDto, actor: Actor): Promise<Organization> {
    try {
      return await this.db.transaction(async (manager) => {
        const changes: Partial<Organization> = {};
        if (input.name !== undefined) changes.name = input.name;
        if (input.slug !== undefined) changes.slug = input.slug;
        if (input.invite_policy !== undefined) changes.invitePolicy = input.invite_policy;
        if (input.auto_join !== undefined) {
          const current = await manager.findOneBy(Organization, { id: organizationId });
          if (!current) throw new AppError(ErrorCode.ORGANIZATION_NOT_FOUND);
          changes.autoJoinEnabled = input.auto_join.enabled;
          changes.autoJoinRoleId = await resolveAutoJoinRole(
            manager,
            organizationId,
            input.auto_join.role_id,
            current.autoJoinRoleId,
          );
        }
        // A PATCH that names nothing changes nothing, and so has no event.
        if (Object.keys(changes).length === 0) return this.get(organizationId);
        await manager.update(Organization, { id: organizationId }, changes);
        const updated = await manager.findOneBy(Organization, { id: organizationId });
        if (!updated) throw new AppError(ErrorCode.ORGANIZATION_NOT_FOUND);
        await this.events.append(manager, {
          type: 'organization.updated',
          organizationId,
          actor,
          subjectId: organizationId,
          data: OrganizationResponseDto.from(updated),
        });
        return updated;
      });
    } catch (error) {
      throw slugTakenOr(error, input.slug);
    }
  }
}

/** The unique index decides whether a slug is free; this only names the error and the slug. */
function slugTakenOr(error: unknown, slug: string | undefined): unknown {
  return isUniqueViolation(error, 'uq_organizations_slug')
    ? new AppError(ErrorCode.ORGANIZATION_SLUG_TAKEN, undefined, { slug })
    : error;
}
