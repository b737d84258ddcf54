import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { OpenAPIObject, OperationObject, ParameterObject, ResponseObject } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { ErrorCode } from '../../src/common/errors/error-code.js';
import { buildOpenApiDocument, serializeOpenApi } from '../../src/openapi/document.js';
import { HTTP_METHODS } from '../../src/openapi/complete-operations.js';
import { createTestApp, TestApp } from '../support/test-app.js';

interface Op {
  label: string;
  path: string;
  method: string;
  operation: OperationObject;
}

function operationsOf(document: OpenAPIObject): Op[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    HTTP_METHODS.filter((method) => item[method]).map((method) => ({
      label: `${method.toUpperCase()} ${path}`,
      path,
      method,
      operation: item[method]!,
    })),
  );
}

/** JSON pointers where two documents differ (the first few), so a stale file says where. */
function differences(a: unknown, b: unknown, at = '', out: string[] = []): string[] {
  if (out.length >= 15) return out;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      differences(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        `${at}/${key}`,
        out,
      );
    }
  } else if (JSON.stringify(a) !== JSON.stringify(b)) out.push(at || '/');
  return out;
}

const responsesOf = (op: Op) => Object.entries(op.operation.responses) as [string, ResponseObject][];
const schemaRef = (response: ResponseObject) =>
  (response.content?.['application/json']?.schema as { $ref?: string } | undefined)?.$ref;

describe('openapi.json', () => {
  let t: TestApp;
  let document: OpenAPIObject;
  let ops: Op[];

  beforeAll(async () => {
    t = await createTestApp();
    document = buildOpenApiDocument(t.app);
    ops = operationsOf(document);
  });
  afterAll(() => t.close());

  it('is the document the code generates (else: run npm run openapi)', () => {
    const committed = readFileSync('openapi.json', 'utf8');
    const generated = serializeOpenApi(document);
    const stale = generated === committed ? [] : differences(JSON.parse(generated), JSON.parse(committed));
    expect(
      stale.length === 0 && generated === committed
        ? 'up to date'
        : `openapi.json is stale at ${stale.join(', ')}: run npm run openapi`,
    ).toBe('up to date');
  });

  it('is the document Swagger UI serves at /docs-json', async () => {
    const res = await t.http().get('/docs-json').expect(200);
    expect(serializeOpenApi(res.body as OpenAPIObject)).toBe(serializeOpenApi(document));
  });

  it('gives every operation a unique camelCase operationId', () => {
    const ids = ops.map((op) => op.operation.operationId);
    expect(ids.filter((id) => !id || !/^[a-z][a-zA-Z0-9]*$/.test(id))).toEqual([]);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it('gives every operation a declared, described tag, a summary and a description', () => {
    const declared = new Map((document.tags ?? []).map((tag) => [tag.name, tag.description]));
    const missing = ops.flatMap((op) => {
      const tags = op.operation.tags ?? [];
      return [
        ...(tags.length === 0 ? [`${op.label}: no tag`] : []),
        ...tags
          .filter((tag) => !declared.get(tag))
          .map((tag) => `${op.label}: tag ${tag} not declared in src/openapi/document.ts TAGS`),
        ...(op.operation.summary ? [] : [`${op.label}: no summary`]),
        ...(op.operation.description ? [] : [`${op.label}: no description`]),
      ];
    });
    expect(missing).toEqual([]);
  });

  it('documents a 2xx response with a JSON schema for every operation (or a bodiless 204)', () => {
    const wrong = ops.filter((op) => {
      const success = responsesOf(op).filter(([status]) => /^2\d\d$/.test(status));
      return (
        success.length === 0 ||
        success.some(([status, response]) =>
          status === '204' ? !!response.content : !response.content?.['application/json']?.schema,
        )
      );
    });
    expect(wrong.map((op) => op.label)).toEqual([]);
  });

  it('documents every error response with the envelope schema of its surface, with examples', () => {
    const wrong = ops.flatMap((op) => {
      const envelope = op.path.startsWith('/api/')
        ? '#/components/schemas/OrgSlugErrorDto'
        : '#/components/schemas/ErrorEnvelopeDto';
      return responsesOf(op)
        .filter(([status]) => Number(status) >= 400)
        .filter(
          ([, response]) =>
            schemaRef(response) !== envelope || !response.content?.['application/json']?.examples,
        )
        .map(([status]) => `${op.label} ${status}`);
    });
    expect(wrong).toEqual([]);
  });

  it('documents every ErrorCode on some operation, save those of the HTTP layer before routing', () => {
    // Answered for URLs no operation matches (unknown route, wrong method, oversized headers, timeout).
    const beforeRouting = new Set<string>([
      'NOT_FOUND',
      'METHOD_NOT_ALLOWED',
      'REQUEST_HEADERS_TOO_LARGE',
      'REQUEST_TIMEOUT',
    ]);
    const documented = new Set(
      ops.flatMap((op) =>
        responsesOf(op).flatMap(([, response]) =>
          Object.keys(response.content?.['application/json']?.examples ?? {}),
        ),
      ),
    );
    expect(
      Object.values(ErrorCode).filter((code) => !documented.has(code) && !beforeRouting.has(code)),
    ).toEqual([]);
  });

  it('documents the statuses every route can answer, and 401 wherever a key is required', () => {
    const missing = ops.flatMap((op) => {
      const statuses = Object.keys(op.operation.responses);
      const expected = [op.path.startsWith('/api/') ? '422' : '400', '429', '500', '503'];
      if (
        op.operation.security?.some((requirement) => Object.keys(requirement).length > 0) &&
        !op.operation.security.some((r) => Object.keys(r).length === 0)
      ) {
        expected.push('401');
      }
      if (['post', 'put', 'patch'].includes(op.method)) expected.push('413', '415');
      return expected.filter((status) => !statuses.includes(status)).map((status) => `${op.label} ${status}`);
    });
    expect(missing).toEqual([]);
  });

  it('documents X-Request-Id on every response and Retry-After on every 429', () => {
    const missing = ops.flatMap((op) =>
      responsesOf(op).flatMap(([status, response]) => [
        ...(response.headers?.['X-Request-Id'] ? [] : [`${op.label} ${status} X-Request-Id`]),
        ...(status !== '429' || response.headers?.['Retry-After']
          ? []
          : [`${op.label} ${status} Retry-After`]),
      ]),
    );
    expect(missing).toEqual([]);
  });

  it('declares both API-key schemes, and every authenticated operation accepts either', () => {
    expect(document.components?.securitySchemes).toMatchObject({
      api_key: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      bearer: { type: 'http', scheme: 'bearer' },
    });
    const wrong = ops
      .filter((op) => (op.operation.security ?? []).length > 0)
      .filter((op) => {
        const names = op.operation.security!.flatMap((requirement) => Object.keys(requirement));
        return !names.includes('api_key') || !names.includes('bearer');
      });
    expect(wrong.map((op) => op.label)).toEqual([]);
    // Public routes say so explicitly, rather than inheriting a global requirement.
    expect(ops.filter((op) => op.operation.security === undefined).map((op) => op.label)).toEqual([]);
  });

  it('documents every path parameter, and limit and cursor on every paginated list', () => {
    const missing = ops.flatMap((op) => {
      const params = (op.operation.parameters ?? []) as ParameterObject[];
      const pathParams = [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const success = op.operation.responses['200'] as ResponseObject | undefined;
      const paginated = /PageDto$/.test(success ? (schemaRef(success) ?? '') : '');
      return [
        ...pathParams
          .filter((name) => !params.some((p) => p.in === 'path' && p.name === name))
          .map((name) => `${op.label}: path ${name}`),
        ...(paginated ? ['limit', 'cursor'] : [])
          .filter((name) => !params.some((p) => p.in === 'query' && p.name === name))
          .map((name) => `${op.label}: query ${name}`),
      ];
    });
    expect(missing).toEqual([]);
  });

  it('gives every schema property an example, so Swagger UI and generated docs show real values', () => {
    const missing = Object.entries(document.components?.schemas ?? {}).flatMap(([name, schema]) =>
      Object.entries((schema as { properties?: Record<string, Record<string, unknown>> }).properties ?? {})
        .filter(([, property]) => {
          const items = property.items as Record<string, unknown> | undefined;
          // oneOf [ref, null] is how OpenAPI 3.1 writes a nullable reference.
          const reference = property.$ref || property.allOf || property.oneOf || items?.$ref;
          return !reference && property.example === undefined;
        })
        .map(([property]) => `${name}.${property}`),
    );
    expect(missing).toEqual([]);
  });

  it("serves the seeds' four published invitation routes", () => {
    const labels = ops.map((op) => op.label);
    expect(labels).toEqual(
      expect.arrayContaining([
        'POST /v1/organizations/{organization_id}/invite-user',
        'POST /v1/organizations/{organization_id}/users/invite/v2',
        'GET /v1/organizations/{organization_id}/invitation',
        'POST /api/v1/org/{slug}/invitations',
      ]),
    );
  });
});
