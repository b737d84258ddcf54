import type { INestApplication } from '@nestjs/common';
import type { OpenAPIObject, OperationObject, ResponseObject } from '@nestjs/swagger';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type request from 'supertest';
import type { Response, Test } from 'supertest';
import { ORG_SLUG_ROUTE_PREFIX } from '../../src/common/errors/error-response.js';
import { buildOpenApiDocument } from '../../src/openapi/document.js';

/**
 * The contract tier: every response a suite receives must be one the OpenAPI document describes.
 * - the status is documented for the route's path and method (a route not in the document may only
 *   answer with an error envelope: unknown routes, wrong methods; a 405's `Allow` names the methods
 *   the document has for that path);
 * - the body is valid against the documented schema, with no property the schema does not name
 *   (objects are validated as `additionalProperties: false` unless the schema says otherwise);
 * - X-Request-Id is on every response, and each header the response documents as required is there.
 *
 * The document is the app's own (`buildOpenApiDocument`), which the drift test keeps identical to
 * the committed openapi.json; so this checks responses against openapi.json.
 */

// ajv-formats is CommonJS with `exports.default`: depending on the module settings the default import
// is the plugin itself or the module object holding it.
type AjvPlugin = (ajv: Ajv) => unknown;
const formatsModule: unknown = addFormatsModule;
const addFormats = (
  typeof formatsModule === 'function' ? formatsModule : (formatsModule as { default: AjvPlugin }).default
) as AjvPlugin;

const SCHEMA_BASE = 'https://contract.test/schemas/';
/**
 * Routes outside the API itself: Swagger UI, and the HTML pages for people (the invitee's accept
 * page, the development mail viewer), which are left out of the document on purpose.
 */
const NON_API_PATHS = /^\/(?:docs(?:-json|-yaml)?|user\/register|dev\/mail)(?:\/|$)/;
/** OpenAPI 3.0 keywords that are not JSON Schema (or mean something else there). */
const OPENAPI_ONLY_KEYWORDS = new Set([
  'example',
  'examples',
  'xml',
  'externalDocs',
  'discriminator',
  'deprecated',
  'nullable',
]);
const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch']);
/**
 * Statuses of the HTTP layer, raised before routing for any URL (request timeout, a URI or headers
 * over the limits). They carry an error envelope but belong to no operation, so no operation lists them.
 */
const BEFORE_ROUTING_STATUSES = new Set([408, 414, 431]);

type Schema = Record<string, unknown>;
interface Route {
  template: string;
  pattern: RegExp;
  literalSegments: number;
  operations: Partial<Record<string, OperationObject>>;
}

export class ContractViolation extends Error {
  override name = 'ContractViolation';
}

export class OpenApiContract {
  private readonly ajv: Ajv;
  private readonly routes: Route[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly document: OpenAPIObject) {
    this.ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats(this.ajv);
    for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
      this.ajv.addSchema({ $id: SCHEMA_BASE + name, ...toStrictJsonSchema(schema as Schema) });
    }
    this.routes = Object.entries(document.paths).map(([template, item]) => {
      const segments = template.split('/').filter(Boolean);
      const source = segments.map((s) => (/^\{[^}]+\}$/.test(s) ? '[^/]+' : escapeRegExp(s))).join('/');
      const operations = Object.fromEntries(
        Object.entries(item).filter(([method]) => METHODS.has(method)),
      ) as Partial<Record<string, OperationObject>>;
      return {
        template,
        pattern: new RegExp(`^/${source}/?$`),
        literalSegments: segments.filter((s) => !s.startsWith('{')).length,
        operations,
      };
    });
  }

  /** Everything wrong with this response, as sentences; empty when it keeps the contract. */
  problems(res: Response): string[] {
    const method = res.request.method.toLowerCase();
    const url = new URL(res.request.url);
    const where = `${method.toUpperCase()} ${shorten(url.pathname)}`;
    const problems: string[] = [];
    if (!res.headers['x-request-id']) problems.push(`${where} → ${res.status}: no X-Request-Id header`);
    // Preflight and HEAD responses carry no body to check.
    if (!METHODS.has(method) || NON_API_PATHS.test(url.pathname)) return problems;

    // The HTTP layer answers these before any route is chosen; they belong to no operation.
    const route = BEFORE_ROUTING_STATUSES.has(res.status) ? undefined : this.routeFor(method, url.pathname);
    if (!route) {
      // Not an API operation: the router, the HTTP layer or the guards answered, and only with an error envelope.
      if (res.status < 400)
        return [...problems, `${where} → ${res.status}: the route is not in the OpenAPI document`];
      if (res.status === 405) problems.push(...this.allowProblems(res, url.pathname, where));
      const envelope = BEFORE_ROUTING_STATUSES.has(res.status)
        ? {
            anyOf: [
              { $ref: `#/components/schemas/ErrorEnvelopeDto` },
              { $ref: `#/components/schemas/OrgSlugErrorDto` },
            ],
          }
        : {
            $ref: `#/components/schemas/${url.pathname.startsWith(ORG_SLUG_ROUTE_PREFIX) ? 'OrgSlugErrorDto' : 'ErrorEnvelopeDto'}`,
          };
      return [
        ...problems,
        ...this.bodyProblems(res, `${where} → ${res.status}`, envelope, JSON.stringify(envelope)),
      ];
    }
    const operation = route.operations[method]!;
    const label = `${where} (${operation.operationId}) → ${res.status}`;
    const response = (operation.responses[String(res.status)] ??
      operation.responses[`${String(res.status)[0]}XX`] ??
      operation.responses.default) as ResponseObject | undefined;
    if (!response) {
      const documented = Object.keys(operation.responses).join(', ');
      return [
        ...problems,
        `${label}: status ${res.status} is not documented for ${method.toUpperCase()} ${route.template} (documented: ${documented})`,
      ];
    }
    for (const [name, header] of Object.entries(response.headers ?? {})) {
      const resolved = this.resolve<{ required?: boolean }>(header);
      // X-Request-Id is checked above, for every response.
      if (
        name.toLowerCase() !== 'x-request-id' &&
        resolved.required &&
        res.headers[name.toLowerCase()] === undefined
      )
        problems.push(`${label}: no ${name} header`);
    }
    const media = response.content?.['application/json'];
    if (!media?.schema) {
      if (res.text)
        problems.push(
          `${label}: the document promises no body, got ${JSON.stringify(res.text.slice(0, 200))}`,
        );
      return problems;
    }
    const key = `${route.template} ${method} ${res.status}`;
    return [...problems, ...this.bodyProblems(res, label, media.schema as Schema, key)];
  }

  /** Throws a ContractViolation naming every problem with this response. */
  assertResponse(res: Response): void {
    const problems = this.problems(res);
    if (problems.length > 0) {
      throw new ContractViolation(
        `response breaks the OpenAPI contract (set TEST_CONTRACT=off to run without this check):\n- ${problems.join('\n- ')}`,
      );
    }
  }

  /** A 405's `Allow` names exactly the methods the document has for the path (HEAD comes with GET). */
  private allowProblems(res: Response, pathname: string, where: string): string[] {
    const documented = new Set(
      this.routes
        .filter((route) => route.pattern.test(pathname))
        .flatMap((route) => Object.keys(route.operations).map((m) => m.toUpperCase())),
    );
    if (documented.has('GET')) documented.add('HEAD');
    const allow = String(res.headers.allow ?? '')
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean);
    const expected = [...documented].sort().join(', ');
    return [...allow].sort().join(', ') === expected
      ? []
      : [
          `${where} → 405: Allow is ${JSON.stringify(res.headers.allow)}, the document has ${expected || 'nothing'} for this path`,
        ];
  }

  private routeFor(method: string, pathname: string): Route | undefined {
    return this.routes
      .filter((route) => route.operations[method] && route.pattern.test(pathname))
      .sort((a, b) => b.literalSegments - a.literalSegments)[0];
  }

  private bodyProblems(res: Response, label: string, schema: Schema, cacheKey: string): string[] {
    if (!/^application\/json\b/.test(String(res.headers['content-type'] ?? ''))) {
      return [`${label}: content-type ${String(res.headers['content-type'])} is not application/json`];
    }
    let validate = this.validators.get(cacheKey);
    if (!validate) {
      validate = this.ajv.compile(toStrictJsonSchema(schema));
      this.validators.set(cacheKey, validate);
    }
    if (validate(res.body)) return [];
    return (validate.errors ?? []).map((e) => `${label}: body${describeError(e)}`);
  }

  private resolve<T>(value: unknown): T {
    const ref = (value as { $ref?: string }).$ref;
    if (!ref) return value as T;
    const target = ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], this.document);
    return target as T;
  }
}

function describeError(error: ErrorObject): string {
  const at = error.instancePath || '(root)';
  if (error.keyword === 'additionalProperties') {
    return ` ${at} has a property the schema does not name: ${String((error.params as { additionalProperty: string }).additionalProperty)}`;
  }
  return ` ${at} ${error.message ?? 'is invalid'} ${JSON.stringify(error.params)}`;
}

/**
 * An OpenAPI 3.0 schema as strict JSON Schema: `nullable` becomes a null alternative, refs point at
 * the registered component schemas, OpenAPI-only keywords go, and every object without its own
 * `additionalProperties` forbids properties it does not name.
 */
export function toStrictJsonSchema(schema: Schema): Schema {
  const out: Schema = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (OPENAPI_ONLY_KEYWORDS.has(keyword) || keyword.startsWith('x-')) continue;
    if (keyword === '$ref') out.$ref = String(value).replace('#/components/schemas/', SCHEMA_BASE);
    else if (keyword === 'properties') {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, Schema>).map(([k, v]) => [k, toStrictJsonSchema(v)]),
      );
    } else if (
      keyword === 'items' ||
      keyword === 'not' ||
      (keyword === 'additionalProperties' && typeof value === 'object')
    ) {
      out[keyword] = toStrictJsonSchema(value as Schema);
    } else if (keyword === 'allOf' || keyword === 'anyOf' || keyword === 'oneOf') {
      out[keyword] = (value as Schema[]).map(toStrictJsonSchema);
    } else out[keyword] = value;
  }
  // Two strict members of one allOf would reject each other's properties.
  if (Array.isArray(out.allOf) && out.allOf.length > 1)
    throw new Error('allOf with several members cannot be validated strictly');
  // A single-member allOf is how a described or nullable reference is written; the referenced schema is strict itself.
  const composed = out.allOf || out.anyOf || out.oneOf || out.$ref;
  if ((out.properties || (out.type === 'object' && !composed)) && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  if (schema.nullable === true) return { anyOf: [out, { type: 'null' }] };
  return out;
}

/** Fuzzed paths can be kilobytes long; messages show their ends. */
function shorten(text: string): string {
  return text.length > 120 ? `${text.slice(0, 80)}…${text.slice(-30)}` : text;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const contracts = new WeakMap<INestApplication, OpenApiContract>();

/** The app's contract, built once per app. */
export function contractFor(app: INestApplication): OpenApiContract {
  let contract = contracts.get(app);
  if (!contract) {
    contract = new OpenApiContract(buildOpenApiDocument(app));
    contracts.set(app, contract);
  }
  return contract;
}

type Agent = ReturnType<typeof request>;

const AGENT_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'del']);

/**
 * The same supertest agent, whose every request checks the contract when its response arrives:
 * the check is the request's first `.expect()`, so a violation fails the awaiting test.
 */
export function withContract(agent: Agent, contract: OpenApiContract): Agent {
  return new Proxy(agent, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (
        typeof property !== 'string' ||
        !AGENT_METHODS.has(property.toLowerCase()) ||
        typeof value !== 'function'
      )
        return value;
      return (...args: unknown[]) =>
        (value.apply(target, args) as Test).expect((res: Response) => contract.assertResponse(res));
    },
  });
}

/** On unless TEST_CONTRACT=off (e.g. to see a suite's own assertion fail first, without the contract's). */
export function contractCheckingEnabled(): boolean {
  return process.env.TEST_CONTRACT !== 'off';
}
