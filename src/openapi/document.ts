import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { API_KEY_SCHEME, BEARER_SCHEME, OIDC_SCHEME } from '../common/auth/access.decorator.js';
import { ErrorEnvelopeDto, OrgSlugErrorDto } from '../common/openapi/error-envelope.dto.js';
import { completeOperations } from './complete-operations.js';
import { withWebhooks } from './webhooks.js';

const DESCRIPTION = `Invite people by email into organizations with roles and departments, and manage members.

Authenticate with an API key, as \`X-API-Key: <key>\` or \`Authorization: Bearer <key>\`, or, where the
deployment configures its identity provider (\`OIDC_ISSUER\`), with that provider's access token as
\`Authorization: Bearer <JWT>\`: the token acts as the user linked to its subject (at first sight, the user of its
verified email).
Every error uses one envelope (\`ErrorEnvelopeDto\`), except the \`/api/v1/org/…\` surface, which uses its own
documented envelope (\`OrgSlugErrorDto\`). Lists are cursor-paginated (\`limit\`, \`cursor\` → \`next_cursor\`).
Every response carries an \`X-Request-Id\` header, equal to \`trace_id\` in error envelopes.
Besides the statuses each operation lists, the HTTP layer may answer any request, before routing, with
408 (request not received in time), 414 (URI too long) or 431 (headers too large), in the same envelope.
A method that a path does not serve is answered 405 \`METHOD_NOT_ALLOWED\`, with \`Allow\` naming the methods it does.`;

/** One description per tag, in the order Swagger UI shows them. A tag used by a route must be listed here. */
export const TAGS: { name: string; description: string }[] = [
  { name: 'Me', description: 'The caller: their account and memberships.' },
  {
    name: 'Organizations',
    description: 'Organizations the caller belongs to; creating one makes the caller its Owner.',
  },
  {
    name: 'Roles',
    description: 'System roles (Owner, Admin, Member; read-only) and custom roles of an organization.',
  },
  { name: 'Departments', description: 'Departments of an organization; names are unique per organization.' },
  {
    name: 'Users',
    description:
      'Members of an organization, each with their account state, roles and departments: invite, list, update memberships, deactivate, reactivate, remove.',
  },
  {
    name: 'Invitations',
    description:
      'Invitations by email: create, read, resend, revoke; and the public token routes a registration page calls.',
  },
  {
    name: 'Domains',
    description:
      "An organization's email domains, verified by a DNS TXT record: they restrict invitations (`invite_policy`) and let people join by email (`auto_join`).",
  },
  {
    name: 'Events',
    description:
      "The organization's audit log: one event per change, newest first. Also the body of every webhook.",
  },
  {
    name: 'Webhooks',
    description:
      'Endpoints that receive every matching event, signed per Standard Webhooks, retried for about 3 days.',
  },
  { name: 'API keys', description: "The caller's own API keys. A key is shown once, at creation." },
  { name: 'Health', description: 'Liveness and readiness probes.' },
];

/** The OpenAPI document, built from the controllers' decorators. operationIds are the method names. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Organization Invitations API')
    .setDescription(DESCRIPTION)
    .setVersion('1.0.0')
    // Proprietary service (package.json: UNLICENSED): there is no license text to link (see redocly.yaml).
    .setLicense('Proprietary', '')
    // Relative, so Swagger UI's "Try it out" calls the server that serves it, on whatever host and port.
    .addServer('/', 'The server that serves this document')
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An API key.' },
      API_KEY_SCHEME,
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'API key',
        description: 'The same API key as a bearer token.',
      },
      BEARER_SCHEME,
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          "An OIDC access token from the deployment's identity provider (accepted when OIDC_ISSUER is configured).",
      },
      OIDC_SCHEME,
    );
  for (const tag of TAGS) builder.addTag(tag.name, tag.description);
  const document = SwaggerModule.createDocument(app, builder.build(), {
    operationIdFactory: (_controllerKey: string, methodKey: string) => methodKey,
    extraModels: [ErrorEnvelopeDto, OrgSlugErrorDto],
  });
  // DocumentBuilder always emits `contact` and a license `url`; empty ones say nothing.
  delete document.info.contact;
  if (document.info.license) delete document.info.license.url;
  return withWebhooks(completeOperations(document));
}

/** Object keys sorted recursively, so the committed file diffs cleanly. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export function serializeOpenApi(document: OpenAPIObject): string {
  return JSON.stringify(sortKeys(document), null, 2) + '\n';
}
