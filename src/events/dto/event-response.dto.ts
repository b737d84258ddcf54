import { ApiProperty } from '@nestjs/swagger';

export class EventActorDto {
  @ApiProperty({ enum: ['user', 'system'], example: 'user' })
  type: 'user' | 'system';

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'usr_abc123',
    description: 'The user; null for the service itself.',
  })
  id: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'key_abc123',
    description: 'The API key the user called with, if any.',
  })
  api_key_id: string | null;
}

export class EventSubjectDto {
  @ApiProperty({
    example: 'invitation',
    description: 'The kind of resource: the part of the event type before the dot.',
  })
  type: string;

  @ApiProperty({ example: 'inv_abc123' })
  id: string;
}

/** One entry of the audit log; also the body of every webhook delivery. */
export class EventResponseDto {
  @ApiProperty({ example: 'evt_abc123', description: 'Also the `webhook-id` of its deliveries.' })
  id: string;

  @ApiProperty({ example: 'invitation.created' })
  type: string;

  @ApiProperty({ type: String, nullable: true, example: 'org_xyz789' })
  organization_id: string | null;

  @ApiProperty({ format: 'date-time', example: '2026-01-05T10:30:00Z' })
  created_at: string;

  @ApiProperty({ type: EventActorDto })
  actor: EventActorDto;

  @ApiProperty({ type: EventSubjectDto })
  subject: EventSubjectDto;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'The resource after the change, as the API shows it; never a token, link, API key or secret.',
    example: { id: 'inv_abc123', email: 'jane@example.com', status: 'pending' },
  })
  data: Record<string, unknown>;
}
