import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/pagination.js';
import { INVITATION_STATUSES, InvitationStatus } from '../invitation.entity.js';
import { MAX_EMAIL_LENGTH, normalizeEmail } from './invitation-fields.js';

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
    description: 'Only invitations for exactly this email (trimmed, compared case-insensitively).',
  })
  @IsOptional()
  @Transform(normalizeEmail)
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_EMAIL_LENGTH)
  email?: string;
}
