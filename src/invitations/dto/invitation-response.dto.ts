import { ApiProperty } from '@nestjs/swagger';
import { iso, isoOrNull } from '../../common/http/timestamps.js';
import { InvitationTokens } from '../invitation-token.js';
import type { InvitationResourceRow, LinkFields } from '../invitation-read.repository.js';
import {
  EMAIL_STATUSES,
  EmailStatus,
  Invitation,
  INVITATION_STATUSES,
  InvitationStatus,
} from '../invitation.entity.js';
import { effectiveStatus } from '../invitation-status.js';
import { maySeeLink } from '../link-visibility.js';

/**
 * The link while the invitation can still be accepted (a dead link is not worth showing), and only
 * to a viewer who may create this invitation (`maySeeLink`).
 */
export function visibleLink(
  invitation: Invitation,
  tokens: InvitationTokens | null,
  viewerRank: number,
): string | null {
  return shownLink(
    {
      id: invitation.id,
      version: invitation.version,
      status: effectiveStatus(invitation),
      grants_owner: invitation.grantsOwner,
    },
    tokens,
    viewerRank,
  );
}

/** `visibleLink` for a read row, which carries its effective status and Owner grant. */
export function shownLink(
  invitation: LinkFields,
  tokens: InvitationTokens | null,
  viewerRank: number,
): string | null {
  // Signed only when shown: the HMAC is the costliest part of a row.
  if (!tokens || invitation.status !== 'pending' || !maySeeLink(viewerRank, invitation.grants_owner))
    return null;
  return tokens.link(invitation.id, invitation.version);
}

/** The Invitation resource (API.md "Resources"). */
export class InvitationResponseDto {
  @ApiProperty({ example: 'inv_def456' })
  invitation_id: string;

  @ApiProperty({ example: 'org_abc123' })
  organization_id: string;

  @ApiProperty({ example: 'user@example.com' })
  email: string;

  @ApiProperty({
    example: 'usr_xyz789',
    description: 'The invitee: an existing account, or one created for them.',
  })
  user_id: string;

  @ApiProperty({ example: 'role_jkl012', description: 'The first of `role_ids`.' })
  role_id: string;

  @ApiProperty({
    type: [String],
    example: ['role_jkl012'],
    description:
      "The roles it grants: while pending, the pending member's current roles (what accept activates); once " +
      'settled, what it granted.',
  })
  role_ids: string[];

  @ApiProperty({
    type: [String],
    example: ['dept_eng001'],
    description: 'The departments it grants, likewise.',
  })
  department_ids: string[];

  @ApiProperty({
    enum: INVITATION_STATUSES,
    example: 'pending',
    description: '`expired` once `expires_at` has passed while still pending.',
  })
  status: InvitationStatus;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'https://chat.aitronos.com/user/register?invite=abc123...',
    description:
      'The link to share with the invitee while the invitation is pending, shown only to a caller who may create ' +
      'this invitation (an Admin or Owner; an Owner when it grants the Owner role); null otherwise.',
  })
  invitation_link: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Welcome to the team!' })
  custom_message: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'usr_abc123',
    description: 'The user who sent the invitation.',
  })
  invited_by: string | null;

  @ApiProperty({ enum: EMAIL_STATUSES, example: 'queued' })
  email_status: EmailStatus;

  @ApiProperty({ format: 'date-time', example: '2026-01-12T10:30:00Z' })
  expires_at: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-05T10:30:00Z' })
  created_at: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  accepted_at: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  revoked_at: string | null;

  /**
   * `viewerRank`: the caller's rank in the organization, which decides whether the link is shown;
   * without `tokens` (an event's data) it never is.
   */
  static from(
    invitation: Invitation,
    tokens: InvitationTokens | null,
    viewerRank: number,
  ): InvitationResponseDto {
    return {
      invitation_id: invitation.id,
      organization_id: invitation.organizationId,
      email: invitation.email,
      user_id: invitation.userId,
      role_id: invitation.grantedRoleIds[0],
      role_ids: invitation.grantedRoleIds,
      department_ids: invitation.grantedDepartmentIds,
      status: effectiveStatus(invitation),
      invitation_link: visibleLink(invitation, tokens, viewerRank),
      custom_message: invitation.customMessage,
      invited_by: invitation.invitedBy,
      email_status: invitation.emailStatus,
      expires_at: iso(invitation.expiresAt),
      created_at: iso(invitation.createdAt),
      accepted_at: isoOrNull(invitation.acceptedAt),
      revoked_at: isoOrNull(invitation.revokedAt),
    };
  }

  /** The same resource from a read row (InvitationReadRepository), which holds it already formatted. */
  static fromRow(
    row: InvitationResourceRow,
    tokens: InvitationTokens,
    viewerRank: number,
  ): InvitationResponseDto {
    return {
      invitation_id: row.id,
      organization_id: row.organization_id,
      email: row.email,
      user_id: row.user_id,
      role_id: row.role_ids[0],
      role_ids: row.role_ids,
      department_ids: row.department_ids,
      status: row.status,
      invitation_link: shownLink(row, tokens, viewerRank),
      custom_message: row.custom_message,
      invited_by: row.invited_by,
      email_status: row.email_status,
      expires_at: row.expires_at,
      created_at: row.created_at,
      accepted_at: row.accepted_at,
      revoked_at: row.revoked_at,
    };
  }
}
