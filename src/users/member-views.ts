import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { isoOrNull } from '../common/http/timestamps.js';
import { OrgScope } from '../common/auth/request-context.js';
import { Db } from '../database/transactions.js';
import { AccountState } from './membership.entity.js';
import { MemberResponseDto } from './dto/member-response.dto.js';

/** A member's row as the view reads it (the member view's select list, or a statement returning the same). */
export interface MemberRow {
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
}

/** Whose view it is: the organization, and the viewer's rank there (it decides whether links show). */
export type MemberViewer = Pick<OrgScope, 'organizationId' | 'rank'>;

/**
 * The link a viewer may see for each of these members (a pending invitation shared by hand). The
 * invitations module registers it at start-up (`showLinksWith`), so this module imports none of it.
 */
export type MemberLinks = (viewer: MemberViewer, userIds: string[]) => Promise<Map<string, string>>;

/**
 * Builds the published user object (the invite-user v2 page's) for members of one organization, in two queries for any number of
 * users (the members, then their links; no N+1). Every lookup is scoped by the organization id.
 */
@Injectable()
export class MemberViews {
  private links: MemberLinks = () => Promise.resolve(new Map());

  constructor(private readonly db: Db) {}

  showLinksWith(links: MemberLinks): void {
    this.links = links;
  }

  async find(
    viewer: MemberViewer,
    userIds: string[],
    manager?: EntityManager,
  ): Promise<Map<string, MemberResponseDto>> {
    if (userIds.length === 0) return new Map();
    const rows: MemberRow[] = await (manager ?? this.db.manager()).query(
      `SELECT u.id AS user_id, u.full_name, u.email, u.user_name, m.account_state, m.organization_id,
              m.invited_at, m.deactivated_at,
              ${memberAssignmentsSql('m')}
         FROM memberships m
         JOIN users u ON u.id = m.user_id
        WHERE m.organization_id = $1 AND m.user_id = ANY($2)`,
      [viewer.organizationId, userIds],
    );
    const links = await this.links(viewer, userIds);
    return new Map(rows.map((row) => [row.user_id, memberView(row, links.get(row.user_id) ?? null)]));
  }

  async findOne(
    viewer: MemberViewer,
    userId: string,
    manager?: EntityManager,
  ): Promise<MemberResponseDto | undefined> {
    return (await this.find(viewer, [userId], manager)).get(userId);
  }
}

/** The `role_ids` and `department_ids` columns of a MemberRow, over a `memberships` alias. */
export function memberAssignmentsSql(m: string): string {
  return `COALESCE((SELECT array_agg(mr.role_id ORDER BY mr.role_id) FROM membership_roles mr WHERE mr.membership_id = ${m}.id), '{}') AS role_ids,
              COALESCE((SELECT array_agg(md.department_id ORDER BY md.department_id) FROM membership_departments md WHERE md.membership_id = ${m}.id), '{}') AS department_ids`;
}

/** The published user object of a member row, with the link this viewer may see (or null). */
export function memberView(row: MemberRow, invitationLink: string | null): MemberResponseDto {
  return {
    id: row.user_id,
    full_name: row.full_name,
    email: row.email,
    user_name: row.user_name,
    account_state: row.account_state,
    role_ids: row.role_ids,
    department_ids: row.department_ids,
    organization_id: row.organization_id,
    invitation_link: invitationLink,
    invited_at: isoOrNull(row.invited_at),
    deactivated_at: isoOrNull(row.deactivated_at),
  };
}
