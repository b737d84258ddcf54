import { iso } from '../common/http/timestamps.js';
import { AppendedEvent } from './event-log.js';
import { EventRecord } from './event.entity.js';
import { subjectTypeOf } from './event-types.js';

/** An event as the audit log shows it and as webhooks deliver it (API.md "Events"). */
export interface EventJson {
  id: string;
  type: string;
  organization_id: string | null;
  created_at: string;
  actor: { type: 'user' | 'system'; id: string | null; api_key_id: string | null };
  subject: { type: string; id: string };
  data: unknown;
}

export function appendedEventJson(event: AppendedEvent): EventJson {
  return {
    id: event.id,
    type: event.type,
    organization_id: event.organizationId,
    created_at: iso(event.createdAt),
    actor: { type: event.actor.type, id: event.actor.id, api_key_id: event.actor.apiKeyId },
    subject: { type: subjectTypeOf(event.type), id: event.subjectId },
    data: event.data,
  };
}

export function eventRecordJson(record: EventRecord): EventJson {
  return {
    id: record.id,
    type: record.type,
    organization_id: record.organizationId,
    created_at: iso(record.createdAt),
    actor: {
      type: record.actorType as 'user' | 'system',
      id: record.actorId,
      api_key_id: record.actorApiKeyId,
    },
    subject: { type: record.subjectType, id: record.subjectId },
    data: record.data,
  };
}
