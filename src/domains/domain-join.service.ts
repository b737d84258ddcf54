import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { ROLE_RANK } from '../common/auth/system-roles.js';
import { Caller } from '../common/auth/request-context.js';
import { AppError } from '../common/errors/app-error.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { newId } from '../common/ids/ids.js';
import { CursorCodec } from '../common/pagination/cursor-codec.js';
import { Page, PageQueryDto, paginate } from '../common/pagination/pagination.js';
import { Organization } from '../organizations/organization.entity.js';
import { MemberResponseDto } from '../users/dto/member-response.dto.js';
import { MemberViews } from '../users/member-views.js';
import { emailDomain } from './domain-name.js';
import { OrganizationSuggestionDto } from './dto/organization-suggestion.dto.js';

interface JoinTarget {
  id: string;
  auto_join_enabled: boolean;
  role_id: string | null;
  role_is_owner: boolean | null;
  account_state: string | null;
}

/**
 * Joining an organization by a verified email domain (API.md "Domains", auto_join). Eligible: the
 * caller's email is verified (email proof), its domain is one the organization has verified, and
 * the organization has auto-join on. The caller becomes an active member with the auto-join role.
 */
@Injectable()
export class DomainJoinService {
  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(Organization) private readonly organizations: Repository<Organization>,
    private readonly memberViews: MemberViews,
    private readonly cursors: CursorCodec,
  ) {}

  /** Organizations the caller may join now; none while the caller's email is not verified. */
  async suggestions(caller: Caller, query: PageQueryDto): Promise<Page<OrganizationSuggestionDto>> {
    const domain = emailDomain(caller.email);
    const qb = this.organizations
      .createQueryBuilder('o')
      .innerJoin(
        'organization_domains',
        'd',
        `d.organization_id = o.id AND d.status = 'verified' AND d.domain = :domain`,
        { domain },
      )
      .innerJoin('users', 'u', 'u.id = :userId AND u.email_verified_at IS NOT NULL', {
        userId: caller.userId,
      })
      .where('o.auto_join_enabled')
      .andWhere(
        'NOT EXISTS (SELECT 1 FROM memberships m WHERE m.organization_id = o.id AND m.user_id = :userId)',
      );
    return paginate(
      qb,
      query,
      (org) => ({
        organization_id: org.id,
        organization_name: org.name,
        organization_slug: org.slug,
        domain,
        role_id: org.autoJoinRoleId!,
      }),
      this.cursors.for('organization_suggestions', caller.userId),
    );
  }

  /**
   * Under the organization's lock (as every membership write), with the matching verified domain
   * locked FOR KEY SHARE so deleting it waits for this join. An existing membership in any state is
   * 409 USER_ALREADY_EXISTS (a deactivated member cannot rejoin; an invited one accepts the
   * invitation); the membership insert's unique index settles a concurrent second join the same way.
   * An organization that does not exist and one the caller may not join answer the same 403, so the
   * route cannot be used to probe for organizations.
   */
  async join(caller: Caller, idOrSlug: string): Promise<MemberResponseDto> {
    const column = idOrSlug.startsWith('org_') ? 'id' : 'slug';
    const notAllowed = () =>
      new AppError(ErrorCode.JOIN_NOT_ALLOWED, undefined, { organization_id: idOrSlug });
    if (idOrSlug.length > 64) throw notAllowed();
    return this.dataSource.transaction(async (manager) => {
      const [target]: JoinTarget[] = await manager.query(
        `SELECT o.id, o.auto_join_enabled, r.id AS role_id, (r.is_system AND r.key = 'owner') AS role_is_owner,
                m.account_state
           FROM organizations o
           LEFT JOIN roles r ON r.id = o.auto_join_role_id AND r.organization_id = o.id
           LEFT JOIN memberships m ON m.organization_id = o.id AND m.user_id = $2
          WHERE o.${column} = $1
            FOR NO KEY UPDATE OF o`,
        [idOrSlug, caller.userId],
      );
      if (target?.account_state) {
        throw new AppError(ErrorCode.USER_ALREADY_EXISTS, undefined, {
          email: caller.email,
          organization_id: target.id,
          account_state: target.account_state,
        });
      }
      if (!target || !target.auto_join_enabled || !target.role_id || target.role_is_owner) throw notAllowed();
      const eligible: unknown[] = await manager.query(
        `SELECT d.id FROM organization_domains d JOIN users u ON u.id = $3 AND u.email_verified_at IS NOT NULL
          WHERE d.organization_id = $1 AND d.domain = $2 AND d.status = 'verified'
            FOR KEY SHARE OF d`,
        [target.id, emailDomain(caller.email), caller.userId],
      );
      if (eligible.length === 0) throw notAllowed();

      const inserted: { id: string }[] = await manager.query(
        `INSERT INTO memberships (id, organization_id, user_id, account_state) VALUES ($1, $2, $3, 'active')
         ON CONFLICT (organization_id, user_id) DO NOTHING RETURNING id`,
        [newId('mem'), target.id, caller.userId],
      );
      if (inserted.length === 0) {
        throw new AppError(ErrorCode.USER_ALREADY_EXISTS, undefined, {
          email: caller.email,
          organization_id: target.id,
        });
      }
      await manager.query('INSERT INTO membership_roles (membership_id, role_id) VALUES ($1, $2)', [
        inserted[0].id,
        target.role_id,
      ]);
      // Event: member.joined with data.via = "domain" — appended here, in this transaction, once the event log exists.
      // The joiner sees their own membership as a Member sees it (auto-join never grants Owner or Admin power).
      const viewer = { organizationId: target.id, rank: ROLE_RANK.member };
      return (await this.memberViews.findOne(viewer, caller.userId, manager))!;
    });
  }
}
