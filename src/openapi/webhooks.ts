import type { OpenAPIObject } from '@nestjs/swagger';
import { EVENT_TYPES } from '../events/event-types.js';

type Schema = Record<string, unknown>;

/** The resource each event type's `data` holds: the API's own schema of that resource. */
const DATA_SCHEMAS: Record<string, string | undefined> = {
  organization: 'OrganizationResponseDto',
  role: 'RoleResponseDto',
  department: 'DepartmentResponseDto',
  invitation: 'InvitationResponseDto',
  member: 'MemberResponseDto',
  api_key: 'ApiKeyResponseDto',
  webhook_endpoint: 'WebhookEndpointResponseDto',
};

const SIGNATURE_HEADERS = [
  [
    'webhook-id',
    'The event id (`evt_…`); the same on every attempt, so receivers can de-duplicate.',
    'evt_abc123',
  ],
  ['webhook-timestamp', 'Unix seconds of this attempt.', '1767609000'],
  [
    'webhook-signature',
    'Space-separated `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`; two during a rotation.',
    'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
  ],
];

/**
 * OpenAPI 3.1: the document's `nullable` (3.0) becomes JSON Schema's null type, and `webhooks`
 * documents the POST a receiver gets for each event type, so a generated SDK types the receiver side.
 */
export function withWebhooks(document: OpenAPIObject): OpenAPIObject {
  const doc = toOpenApi31(document) as OpenAPIObject & { webhooks: Record<string, unknown> };
  const schemas = doc.components!.schemas as Record<string, Schema>;
  const event = schemas.EventResponseDto;
  doc.webhooks = {};
  for (const type of [...EVENT_TYPES, 'webhook.test']) {
    const subject = type.slice(0, type.indexOf('.'));
    const name = `${type.replace(/(^|[._])([a-z])/g, (_, __, c: string) => c.toUpperCase())}Event`;
    const dataRef = DATA_SCHEMAS[subject];
    const data: Schema =
      type === 'webhook.test'
        ? {
            type: 'object',
            properties: {
              endpoint_id: { type: 'string', example: 'whep_abc123' },
              url: { type: 'string', example: 'https://hooks.example.com/' },
            },
            required: ['endpoint_id', 'url'],
            example: { endpoint_id: 'whep_abc123', url: 'https://hooks.example.com/' },
          }
        : dataRef
          ? { $ref: `#/components/schemas/${dataRef}` }
          : { type: 'object', additionalProperties: true, example: {} };
    schemas[name] = {
      ...event,
      description: `The body of a \`${type}\` delivery.`,
      properties: {
        ...(event.properties as Schema),
        type: { type: 'string', enum: [type], example: type },
        data,
      },
    };
    doc.webhooks[type] = {
      post: {
        operationId: `${name.charAt(0).toLowerCase()}${name.slice(1)}Webhook`,
        tags: ['Webhooks'],
        summary: `${type} (sent to your endpoint)`,
        description: `POSTed to every enabled endpoint whose \`event_types\` match \`${type}\`, signed per Standard Webhooks. Any 2xx within 10 s acknowledges it; anything else is retried per WEBHOOK_RETRY_SCHEDULE.`,
        security: [],
        parameters: SIGNATURE_HEADERS.map(([header, description, example]) => ({
          name: header,
          in: 'header',
          required: true,
          description,
          schema: { type: 'string', example },
        })),
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } },
        },
        responses: {
          '200': { description: 'Acknowledged (any 2xx)' },
          '400': { description: 'Refused (any other status, a timeout or a connection error): retried' },
        },
      },
    };
  }
  return doc;
}

function toOpenApi31(document: OpenAPIObject): OpenAPIObject {
  const convert = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(convert);
    if (!value || typeof value !== 'object') return value;
    const out: Schema = {};
    for (const [k, v] of Object.entries(value)) out[k] = convert(v);
    if (out.nullable !== true) return out;
    delete out.nullable;
    if (typeof out.type === 'string' && !out.allOf) return { ...out, type: [out.type, 'null'] };
    const { description, allOf, ...rest } = out;
    const members = (allOf as Schema[] | undefined) ?? [rest];
    return { ...(description ? { description } : {}), oneOf: [...members, { type: 'null' }] };
  };
  return { ...(convert(document) as OpenAPIObject), openapi: '3.1.0' };
}
