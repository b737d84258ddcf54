/** Every event type the log records (API.md "Events"); webhooks subscribe to these names. */
export const EVENT_TYPES = [
  'organization.updated',
  'role.created',
  'role.updated',
  'role.deleted',
  'department.created',
  'department.updated',
  'department.deleted',
  'invitation.created',
  'invitation.resent',
  'invitation.revoked',
  'invitation.accepted',
  'invitation.declined',
  'invitation.expired',
  'member.joined',
  'member.updated',
  'member.deactivated',
  'member.reactivated',
  'member.removed',
  'api_key.created',
  'api_key.revoked',
  'webhook_endpoint.created',
  'webhook_endpoint.updated',
  'webhook_endpoint.deleted',
  'webhook_endpoint.disabled',
  'domain.created',
  'domain.verified',
  'domain.deleted',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** The kind of resource an event is about: the part of its type before the dot. */
export type SubjectType = EventType extends `${infer S}.${string}` ? S : never;

export function subjectTypeOf(type: EventType): SubjectType {
  return type.slice(0, type.indexOf('.')) as SubjectType;
}
