import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsBoolean,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import { EVENT_TYPES } from '../../events/event-types.js';

/** `*`, an event type, or a type prefix with `.*` (`invitation.*`). */
export const EVENT_TYPE_SELECTOR = new RegExp(
  `^(\\*|${[...new Set(EVENT_TYPES.map((t) => t.split('.')[0]))].map((p) => `${p}\\.\\*`).join('|')}|${EVENT_TYPES.join('|').replace(/\./g, '\\.')})$`,
);

export class WebhookEndpointCreateDto {
  @ApiProperty({
    example: 'https://hooks.example.com/invitations',
    maxLength: 2048,
    description: '`https://` (plain `http://` only with WEBHOOK_ALLOW_HTTP).',
  })
  @IsString()
  @MaxLength(2048)
  url: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['invitation.*', 'member.joined'],
    default: ['*'],
    description: 'Event types to deliver: exact types, a prefix with `.*`, or `*` (all; the default).',
  })
  @IsOptional()
  @IsString({ each: true })
  @Matches(EVENT_TYPE_SELECTOR, { each: true, message: '$property must hold event types, `prefix.*` or `*`' })
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ArrayUnique()
  event_types?: string[];

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 500, example: 'CRM sync' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string | null;

  @ApiPropertyOptional({ default: true, example: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}
