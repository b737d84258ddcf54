import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { iso, isoOrNull } from '../../common/http/timestamps.js';
import { PageQueryDto } from '../../common/pagination/pagination.js';
import { DELIVERY_STATUSES, DeliveryStatus, WebhookDelivery } from '../webhook-delivery.entity.js';

export class WebhookDeliveryQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;
}

export class WebhookDeliveryResponseDto {
  @ApiProperty({ example: 'whd_abc123' })
  id: string;

  @ApiProperty({ example: 'whep_abc123' })
  endpoint_id: string;

  @ApiProperty({ example: 'evt_abc123', description: 'Also the `webhook-id` header of every attempt.' })
  event_id: string;

  @ApiProperty({ example: 'invitation.created' })
  event_type: string;

  @ApiProperty({ enum: DELIVERY_STATUSES, example: 'succeeded' })
  status: DeliveryStatus;

  @ApiProperty({ example: 1 })
  attempts: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-01-05T10:30:01Z' })
  last_attempt_at: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  next_attempt_at: string | null;

  @ApiProperty({ type: Number, nullable: true, example: 200 })
  response_status: number | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  last_error: string | null;

  @ApiProperty({ type: Number, nullable: true, example: 42 })
  duration_ms: number | null;

  @ApiProperty({ format: 'date-time', example: '2026-01-05T10:30:00Z' })
  created_at: string;

  static from(delivery: WebhookDelivery): WebhookDeliveryResponseDto {
    return {
      id: delivery.id,
      endpoint_id: delivery.endpointId,
      event_id: delivery.eventId,
      event_type: delivery.eventType,
      status: delivery.status,
      attempts: delivery.attempts,
      last_attempt_at: isoOrNull(delivery.lastAttemptAt),
      next_attempt_at: isoOrNull(delivery.nextAttemptAt),
      response_status: delivery.responseStatus,
      last_error: delivery.lastError,
      duration_ms: delivery.durationMs,
      created_at: iso(delivery.createdAt),
    };
  }
}
