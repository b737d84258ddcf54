import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, Matches } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/pagination.js';

const ANY_ID = /^[a-z]+_[A-Za-z0-9]{1,64}$/;

export class EventQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    example: 'invitation.*',
    description: 'An event type, or a prefix with `.*` (`invitation.*`).',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z_]{1,32}\.([a-z_]{1,32}|\*)$/, { message: '$property must be an event type or `prefix.*`' })
  type?: string;

  @ApiPropertyOptional({ example: 'usr_abc123', description: 'Events caused by this user.' })
  @IsOptional()
  @Matches(ANY_ID, { message: '$property must be an ID' })
  actor_id?: string;

  @ApiPropertyOptional({ example: 'inv_abc123', description: 'Events about this resource.' })
  @IsOptional()
  @Matches(ANY_ID, { message: '$property must be an ID' })
  subject_id?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-01-01T00:00:00Z',
    description: 'At or after this time.',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-02-01T00:00:00Z',
    description: 'Before this time.',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  until?: string;
}
