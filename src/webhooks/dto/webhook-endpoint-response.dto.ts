import { ApiProperty } from '@nestjs/swagger';
import { iso } from '../../common/http/timestamps.js';
import { WebhookEndpoint } from '../webhook-endpoint.entity.js';

export class WebhookEndpointResponseDto {
  @ApiProperty({ example: 'whep_abc123' })
  id: string;

  @ApiProperty({ example: 'https://hooks.example.com/invitations' })
  url: string;

  @ApiProperty({ type: [String], example: ['invitation.*', 'member.joined'] })
  event_types: string[];

  @ApiProperty({ type: String, nullable: true, example: 'CRM sync' })
  description: string | null;

  @ApiProperty({
    example: true,
    description: 'False when disabled by a caller or after failing for WEBHOOK_DISABLE_AFTER_HOURS.',
  })
  enabled: boolean;

  @ApiProperty({ format: 'date-time', example: '2026-01-05T10:30:00Z' })
  created_at: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-05T10:30:00Z' })
  updated_at: string;

  static from(endpoint: WebhookEndpoint): WebhookEndpointResponseDto {
    return {
      id: endpoint.id,
      url: endpoint.url,
      event_types: endpoint.eventTypes,
      description: endpoint.description,
      enabled: endpoint.enabled,
      created_at: iso(endpoint.createdAt),
      updated_at: iso(endpoint.updatedAt),
    };
  }
}

export class WebhookEndpointCreatedDto extends WebhookEndpointResponseDto {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'The signing secret (Standard Webhooks format). Shown only here and by rotate-secret.',
  })
  secret: string;
}

export class WebhookSecretDto {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description:
      'The new signing secret. The previous one keeps signing for 24 hours (two `v1,` signatures).',
  })
  secret: string;
}
