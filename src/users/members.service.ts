import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppError } from '../common/errors/app-error.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { CursorCodec } from '../common/pagination/cursor-codec.js';
import { Page, paginate } from '../common/pagination/pagination.js';
import { MemberListQueryDto } from './dto/member-list-query.dto.js';
import { MemberResponseDto } from './dto/member-response.dto.js';
import { MemberViewer, MemberViews } from './member-views.js';
import { Membership } from './membership.entity.js';

/** Reads members of one organization; every query is scoped by its id. */
@Injectable()
export class MembersService {
  constructor(
    @InjectRepository(Membership) private readonly memberships: Repository<Membership>,
    private readonly views: MemberViews,
    private readonly cursors: CursorCodec,
  ) {}

  /** Two queries per page whatever its size: the keyset page of memberships, then their views. */
  async list(viewer: MemberViewer, query: MemberListQueryDto): Promise<Page<MemberResponseDto>> {
    const { organizationId } = viewer;
    const qb = this.memberships
      .createQueryBuilder('m')
      .where('m.organization_id = :organizationId', { organizationId });
    if (query.account_state) qb.andWhere('m.account_state = :state', { state: query.account_state });
    if (query.role_id) {
      qb.andWhere(
        'EXISTS (SELECT 1 FROM membership_roles mr WHERE mr.membership_id = m.id AND mr.role_id = :roleId)',
        {
          roleId: query.role_id,
        },
      );
    }
    if (query.department_id) {
      qb.andWhere(
        'EXISTS (SELECT 1 FROM membership_departments md WHERE md.membership_id = m.id AND md.department_id = :departmentId)',
        { departmentId: query.department_id },
      );
    }
    if (query.email)
      qb.andWhere('m.user_id IN (SELECT u.id FROM users u WHERE u.email = :email)', { email: query.email });

    const page = await paginate(qb, query, (m) => m.userId, this.cursors.for('members', organizationId));
    const views = await this.views.find(viewer, page.data);
    // A member removed between the two queries is left out rather than shown half-built.
    const data = page.data.flatMap((userId) => views.get(userId) ?? []);
    return { ...page, data };
  }

  async get(viewer: MemberViewer, userId: string): Promise<MemberResponseDto> {
    const view = await this.views.findOne(viewer, userId);
    if (!view) throw new AppError(ErrorCode.USER_NOT_FOUND, undefined, { user_id: userId });
    return view;
  }
}
