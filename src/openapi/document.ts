import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { API_KEY_SCHEME, BEARER_SCHEME } from '../common/auth/access.decorator.js';
import { ErrorEnvelopeDto, Seed002ErrorDto } from '../common/openapi/error-envelope.dto.js';

const DESCRIPTION = `Invite people by email into organizations with roles and departments, and manage members.

Authenticate with an API key, as \`X-API-Key: <key>\` or \`Authorization: Bearer <key>\`.
Every error uses one envelope (\`ErrorEnvelopeDto\`), except the \`/api/v1/org/…\` surface, which uses its own
documented envelope (\`Seed002ErrorDto\`). Lists are cursor-paginated (\`limit\`, \`cursor\` → \`next_cursor\`).`;

/** The OpenAPI document, built from the controllers' decorators. operationIds are the method names. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Organization Invitations API')
    .setDescription(DESCRIPTION)
    .setVersion('1.0.0')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An API key.' }, API_KEY_SCHEME)
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'The same API key as a bearer token.' }, BEARER_SCHEME)
    .build();
  return SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controllerKey: string, methodKey: string) => methodKey,
    extraModels: [ErrorEnvelopeDto, Seed002ErrorDto],
  });
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
