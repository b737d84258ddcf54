import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { isoOrNull } from '../common/http/timestamps.js';
import { OrgScope } from '../common/auth/request-context.js';
import { grantsOwnerSql } from '../invitations/invitation-grants-sql.js';
import { InvitationTokens } from '../invitations/invitation-token.js';
import { maySeeLink } from '../invitations/link-visibility.js';
import { AccountState } from './membership.entity.js';
import { MemberResponseDto } from './dto/member-response.dto.js';

interface MemberRow {
  user_id: string;
  full_name: string | null;
  email: string;
  user_name: string | null;
  account_state: AccountState;
  role_ids: string[];
  department_ids: string[];
  organization_id: string;
  invited_at: Date | null;
  deactivated_at: Date | null;
  /** The pending invitation whose email was not requested: its link is shown (shared by hand). */
  link_invitation_id: string | null;
  link_invitation_version: number | null;
  link_grants_owner: boolean | null;
}

/** Whose view it is: the organization, and the viewer's rank there (it decides whether links show). */
export type MemberViewer = Pick<OrgScope, 'organizationId' | 'rank'>;

/**
 * Builds seed 001's user object for members of one organization, in one query for any number of
 * users (no N+1). Every lookup is scoped by the organization id.
 */
@Injectable()
export class MemberViews {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: InvitationTokens,
  ) {}

  async find(
    viewer: MemberViewer,
    userIds: string[],
    manager?: EntityManager,
  ): Promise<Map<string, MemberResponseDto>> {
    if (userIds.length === 0) return new Map();
    const rows: MemberRow[] = await (manager ?? this.dataSource.manager).query(
      `SELECT u.id AS user_id, u.full_name, u.email, u.user_name, m.account_state, m.organization_id,
              m.invited_at, m.deactivated_at,
              COALESCE((SELECT array_agg(mr.role_id ORDER BY mr.role_id) FROM membership_roles mr WHERE mr.membership_id = m.id), '{}') AS role_ids,
              COALESCE((SELECT array_agg(md.department_id ORDER BY md.department_id) FROM membership_departments md WHERE md.membership_id = m.id), '{}') AS department_ids,
              i.id AS link_invitation_id, i.version AS link_invitation_version, ${grantsOwnerSql('i')} AS link_grants_owner
         FROM memberships m
         JOIN users u ON u.id = m.user_id
         LEFT JOIN invitations i ON i.organization_id = m.organization_id AND i.user_id = m.user_id
              AND i.status = 'pending' AND i.email_status = 'not_requested' AND i.expires_at > now()
        WHERE m.organization_id = $1 AND m.user_id = ANY($2)`,
      [viewer.organizationId, userIds],
    );
    return new Map(rows.map((row) => [row.user_id, this.toDto(row, viewer.rank)]));
  }

  async findOne(
    viewer: MemberViewer,
    userId: string,
    manager?: EntityManager,
  ): Promise<MemberResponseDto | undefined> {
    return (await this.find(viewer, [userId], manager)).get(userId);
  }

  private toDto(row: MemberRow, viewerRank: number): MemberResponseDto {
    return {
      id: row.user_id,
      full_name: row.full_name,
      email: row.email,
      user_name: row.user_name,
      account_state: row.account_state,
      role_ids: row.role_ids,
      department_ids: row.department_ids,
      organization_id: row.organization_id,
      invitation_link:
        row.link_invitation_id &&
        row.link_invitation_version &&
        maySeeLink(viewerRank, row.link_grants_owner === true)
          ? this.tokens.link(row.link_invitation_id, row.link_invitation_version)
          : null,
      invited_at: isoOrNull(row.invited_at),
      deactivated_at: isoOrNull(row.deactivated_at),
    };
  }
}
