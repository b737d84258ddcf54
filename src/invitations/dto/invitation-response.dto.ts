import { ApiProperty } from '@nestjs/swagger';
import { iso, isoOrNull } from '../../common/http/timestamps.js';
import { InvitationTokens } from '../invitation-token.js';
import {
  EMAIL_STATUSES,
  EmailStatus,
  Invitation,
  INVITATION_STATUSES,
  InvitationStatus,
} from '../invitation.entity.js';
import { effectiveStatus } from '../invitation-status.js';

/** The link while the invitation can still be accepted; a dead link is not worth showing. */
export function liveLink(invitation: Invitation, tokens: InvitationTokens): string | null {
  return effectiveStatus(invitation) === 'pending' ? tokens.link(invitation.id, invitation.version) : null;
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

  @ApiProperty({ type: [String], example: ['role_jkl012'], description: 'The roles as invited.' })
  role_ids: string[];

  @ApiProperty({ type: [String], example: ['dept_eng001'], description: 'The departments as invited.' })
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
    description: 'The link to share with the invitee while the invitation is pending; null otherwise.',
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

  static from(invitation: Invitation, tokens: InvitationTokens): InvitationResponseDto {
    return {
      invitation_id: invitation.id,
      organization_id: invitation.organizationId,
      email: invitation.email,
      user_id: invitation.userId,
      role_id: invitation.roleIds[0],
      role_ids: invitation.roleIds,
      department_ids: invitation.departmentIds,
      status: effectiveStatus(invitation),
      invitation_link: liveLink(invitation, tokens),
      custom_message: invitation.customMessage,
      invited_by: invitation.invitedBy,
      email_status: invitation.emailStatus,
      expires_at: iso(invitation.expiresAt),
      created_at: iso(invitation.createdAt),
      accepted_at: isoOrNull(invitation.acceptedAt),
      revoked_at: isoOrNull(invitation.revokedAt),
    };
  }
}
