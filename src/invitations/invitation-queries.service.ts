import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppError } from '../common/errors/app-error.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { iso } from '../common/http/timestamps.js';
import { CursorCodec } from '../common/pagination/cursor-codec.js';
import { Page, pageOfRows } from '../common/pagination/pagination.js';
import { InvitationListQueryDto } from './dto/invitation-list-query.dto.js';
import { InvitationResponseDto, shownLink } from './dto/invitation-response.dto.js';
import { PendingInvitationResponseDto } from './dto/pending-invitation.dto.js';
import { InvitationLookupResponseDto } from './dto/invitation-token.dto.js';
import { InvitationTokens } from './invitation-token.js';
import { Invitation } from './invitation.entity.js';
import { grantedRoleIdsSql } from './invitation-grants-sql.js';
import { effectiveStatus, invitationNotFound } from './invitation-status.js';
import { InvitationReadRepository, PendingKeyColumn } from './invitation-read.repository.js';

/** The one identifier a pending invitation is found by. */
export interface PendingInvitationKey {
  by: 'email' | 'userId' | 'invitationId';
  value: string;
}

const PENDING_KEY_COLUMNS = {
  email: 'email',
  userId: 'user_id',
  invitationId: 'id',
} as const satisfies Record<PendingInvitationKey['by'], PendingKeyColumn>;

/** What the hosted accept page shows besides the lookup (src/accept-page). */
export interface InvitationPageDetails {
  customMessage: string | null;
  /** The name the inviter gave, or the account's own. */
  inviteeName: string | null;
  /** The invitee already has an active account: accepting takes its own key and issues none. */
  inviteeHasAccount: boolean;
}

interface LookupRow {
  organization_name: string;
  organization_slug: string;
  inviter_full_name: string | null;
  inviter_email: string | null;
  roles: { id: string; name: string }[];
}

/** Reads. Every org-scoped one carries the organization id; none of them changes anything. */
@Injectable()
export class InvitationQueriesService {
  constructor(
    @InjectRepository(Invitation) private readonly invitations: Repository<Invitation>,
    private readonly reads: InvitationReadRepository,
    private readonly tokens: InvitationTokens,
    private readonly cursors: CursorCodec,
  ) {}

  async get(
    organizationId: string,
    invitationId: string,
    viewerRank: number,
  ): Promise<InvitationResponseDto> {
    const row = await this.reads.byId(organizationId, invitationId);
    if (!row) throw invitationNotFound();
    return InvitationResponseDto.fromRow(row, this.tokens, viewerRank);
  }

  async list(
    organizationId: string,
    query: InvitationListQueryDto,
    viewerRank: number,
  ): Promise<Page<InvitationResponseDto>> {
    const cursors = this.cursors.for('invitations', organizationId);
    const rows = await this.reads.page(
      organizationId,
      {
        status: query.status || undefined,
        email: query.email || undefined,
        // Empty values filter nothing and an empty cursor is the first page, as with `paginate`.
        after: query.cursor ? cursors.decode(query.cursor) : undefined,
      },
      query.limit + 1,
    );
    return pageOfRows(
      rows,
      query.limit,
      (row) => InvitationResponseDto.fromRow(row, this.tokens, viewerRank),
      (last) => cursors.encode(new Date(last.position_at), last.id),
    );
  }

  /** The pending invitation found by its email, its invitee's user id or its own id. */
  async findPending(
    organizationId: string,
    key: PendingInvitationKey,
    viewerRank: number,
  ): Promise<PendingInvitationResponseDto> {
    const row = await this.reads.pending(organizationId, PENDING_KEY_COLUMNS[key.by], key.value);
    // The code's default message is the pending-invitation page's ("No pending invitation found").
    if (!row) throw new AppError(ErrorCode.INVITATION_NOT_FOUND);
    return {
      invitation_id: row.id,
      email: row.email,
      user_id: row.user_id,
      organization_id: row.organization_id,
      role_id: row.role_ids[0],
      invitation_link: shownLink(row, this.tokens, viewerRank),
      expires_at: row.expires_at,
      created_at: row.created_at,
    };
  }

  /**
   * What a registration page shows for a link. A pure read: link scanners prefetch with GET, so
   * looking never consumes, expires or otherwise touches the invitation.
   */
  async lookup(token: string): Promise<InvitationLookupResponseDto> {
    const claims = this.tokens.verify(token);
    if (!claims) throw invitationNotFound();
    const invitation = await this.invitations.findOneBy({ id: claims.invitationId });
    if (!invitation || invitation.version !== claims.version) throw invitationNotFound();
    const [row]: LookupRow[] = await this.invitations.query(
      `SELECT o.name AS organization_name, o.slug AS organization_slug,
              inviter.full_name AS inviter_full_name, inviter.email AS inviter_email,
              COALESCE((SELECT json_agg(json_build_object('id', r.id, 'name', r.name) ORDER BY g.position)
                          FROM unnest(${grantedRoleIdsSql('i')}) WITH ORDINALITY AS g(role_id, position)
                          JOIN roles r ON r.organization_id = i.organization_id AND r.id = g.role_id), '[]') AS roles
         FROM invitations i
         JOIN organizations o ON o.id = i.organization_id
         LEFT JOIN users inviter ON inviter.id = i.invited_by
        WHERE i.id = $1`,
      [invitation.id],
    );
    if (!row) throw invitationNotFound();
    return {
      invitation_id: invitation.id,
      status: effectiveStatus(invitation),
      email: invitation.email,
      organization: {
        id: invitation.organizationId,
        name: row.organization_name,
        slug: row.organization_slug,
      },
      roles: row.roles,
      invited_by: row.inviter_email ? { full_name: row.inviter_full_name, email: row.inviter_email } : null,
      expires_at: iso(invitation.expiresAt),
    };
  }

  /** The accept page's extras for an invitation the caller already found by its token (`lookup`). */
  async pageDetails(invitationId: string): Promise<InvitationPageDetails> {
    const [row]: { custom_message: string | null; invitee_name: string | null; invitee_active: boolean }[] =
      await this.invitations.query(
        `SELECT i.custom_message, COALESCE(i.full_name, invitee.full_name) AS invitee_name,
                invitee.activated_at IS NOT NULL AS invitee_active
           FROM invitations i
           JOIN users invitee ON invitee.id = i.user_id
          WHERE i.id = $1`,
        [invitationId],
      );
    if (!row) throw invitationNotFound();
    return {
      customMessage: row.custom_message,
      inviteeName: row.invitee_name,
      inviteeHasAccount: row.invitee_active,
    };
  }
}
