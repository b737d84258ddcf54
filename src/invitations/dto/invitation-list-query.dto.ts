import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { MAX_EMAIL_LENGTH } from '../../common/email/email-address.js';
import { IsNormalizedEmail } from '../../common/email/email-field.js';
import { PageQueryDto } from '../../common/pagination/pagination.js';
import { INVITATION_STATUSES, InvitationStatus } from '../invitation.entity.js';

/** Filters combine with AND. */
export class InvitationListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    enum: INVITATION_STATUSES,
    description: 'Only invitations in this status (`expired` includes pending ones whose expiry has passed).',
  })
  @IsOptional()
  @IsIn(INVITATION_STATUSES)
  status?: InvitationStatus;

  @ApiPropertyOptional({
    maxLength: MAX_EMAIL_LENGTH,
    example: 'jane@example.com',
    description:
      'Only invitations for exactly this email (normalised as every email is: trimmed, NFC, IDNA domain, compared case-insensitively).',
  })
  @IsOptional()
  @IsNormalizedEmail()
  email?: string;
}
