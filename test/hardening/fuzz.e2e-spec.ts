import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { OpenAPIObject } from '@nestjs/swagger';
import fc from 'fast-check';
import type { Response } from 'supertest';
import { ORG_SLUG_ROUTE_PREFIX } from '../../src/common/errors/error-response.js';
import { expectError } from '../support/envelope.js';
import { Actor, auth } from '../support/fixtures.js';
import { contractFor, OpenApiContract } from '../support/contract.js';
import { GENEROUS_LIMITS } from '../support/invitations.js';
import { createTestApp, TestApp } from '../support/test-app.js';
import { DbSnapshot, snapshot } from './support/db-snapshot.js';
import {
  bodyArbitrary,
  encodePathSegment,
  FuzzBody,
  hostileHeaders,
  hostileUrlString,
  pathParamArbitrary,
  Pools,
  queryArbitrary,
  QueryValue,
  Schema,
} from './support/fuzz-arbitraries.js';
import { Operation, OPERATIONS, openApiOf, operationsOf } from './support/operations.js';
import { createTenant, freshApiKeyId, freshDomain, freshInvitation, Tenant } from './support/tenants.js';

/**
 * Property-based requests for every operation of the OpenAPI document: valid, boundary and hostile
 * path parameters, queries, bodies and headers. Whatever comes in, the service must answer
 * without a 5xx, with a response the document describes (status, body schema, envelope of the
 * route's surface), and a rejected request must leave the database exactly as it was.
 *
 * FUZZ_RUNS sets the runs per operation (CI: 200, locally 25); FUZZ_SEED replays a failure;
 * FUZZ_SHRINK=1 shrinks a counterexample (slow: every step is a real request).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? (process.env.CI === 'true' ? 200 : 25));
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const PUBLIC_APP_URL = 'https://app.example.test';

/**
 * Seeds that made this suite fail once, each with the bug it found (put back on purpose to find the
 * seed). A seed replays the same requests only while the generators in support/fuzz-arbitraries.ts
 * and fast-check's version stay the same: after changing either, find the seeds again (put the bug
 * back, run with FUZZ_RUNS until it fails, note the FUZZ_SEED it prints).
 */
const REGRESSION_SEEDS: { operation: string; seed: number; runs: number; found: string }[] = [
  { operation: 'createRole', seed: -7346176, runs: 200, found: 'U+0000 in a name answered 500, not 400' },
  {
    operation: 'createDepartment',
    seed: 870178648,
    runs: 260,
    found: 'U+0000 in a name answered 500, not 400',
  },
];

type Caller = 'owner' | 'bearer' | 'admin' | 'member' | 'other' | 'none' | 'malformed';

interface FuzzRequest {
  caller: Caller;
  malformed: Record<string, string>;
  params: Record<string, string>;
  query: Record<string, QueryValue>;
  body: FuzzBody | undefined;
  headers: Record<string, string>;
}

const callerArbitrary = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Caller>('owner') },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Caller>('bearer', 'admin', 'member', 'other', 'none', 'malformed'),
  },
);

const malformedCredentials = fc.oneof(
  fc.record({
    'X-API-Key': fc.constantFrom(
      'garbage',
      'oik_' + 'A'.repeat(43),
      'oik_' + 'x'.repeat(3000),
      "' OR 1=1 --",
    ),
  }),
  fc.record({
    Authorization: fc.constantFrom(
      'Basic dXNlcjpwYXNz',
      'Bearer',
      'Bearer  ',
      'Bearer ' + 'x'.repeat(3000),
      'Token abc',
    ),
  }),
);

/** fast-check's own report prints the whole counterexample, megabytes for a huge body; ours is short. */
function shortReport<T>(details: fc.RunDetails<T>): void {
  if (!details.failed) return;
  const cause =
    details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new Error(
    `failed after ${details.numRuns} runs (replay: FUZZ_SEED=${details.seed}, path ${details.counterexamplePath})\n${cause}`,
  );
}

describe('property-based requests derived from the OpenAPI document', () => {
  let t: TestApp;
  let other: Tenant;
  let doc: OpenAPIObject;
  let ops: Map<string, Operation>;
  let contract: OpenApiContract;

  beforeAll(async () => {
    // Limits out of the way: this suite sends thousands of requests with one key.
    t = await createTestApp({ ...GENEROUS_LIMITS, RESEND_COOLDOWN_SECONDS: '0' });
    other = await createTenant(t, 'Other');
    doc = openApiOf(t);
    ops = new Map(operationsOf(doc).map((op) => [op.id, op]));
    contract = contractFor(t.app);
  });
  afterAll(() => t.close());

  function resolve(schema: Schema): Schema {
    if (schema.$ref) return resolve(doc.components!.schemas![schema.$ref.split('/').pop()!] as Schema);
    if (schema.allOf?.length === 1) return resolve(schema.allOf[0]);
    return schema;
  }

  /** Real values of a fresh organization (each operation gets its own, so damage stays local). */
  async function poolsFor(a: Tenant): Promise<Pools> {
    const invitations = await Promise.all([1, 2, 3, 4].map(() => freshInvitation(t, a)));
    const spareKeys = await Promise.all([1, 2, 3].map(() => freshApiKeyId(t, a.owner)));
    const [customRole] = await t.dataSource.query('SELECT name FROM roles WHERE id = $1', [a.customRoleId]);
    const [mac] = invitations[0].token.split('.').slice(2);
    return {
      ids: {
        role: [a.customRoleId, a.roles.member, a.roles.admin, a.roles.owner, other.customRoleId],
        dept: [a.departmentId, other.departmentId],
        usr: [a.member.userId, a.admin.userId, a.owner.userId, a.invitation.userId, other.member.userId],
        inv: [a.invitation.id, ...invitations.map((i) => i.id), other.invitation.id],
        key: [...spareKeys, await freshApiKeyId(t, other.owner)],
        dom: [a.domainId, await freshDomain(t, a), other.domainId],
      },
      orgRefs: [a.orgId, a.slug],
      foreignOrgRefs: [other.orgId, other.slug, 'org_' + 'Z'.repeat(22), 'no-such-org'],
      emails: [a.member.email, a.owner.email, a.invitation.email, other.owner.email],
      tokens: [
        ...invitations.map((i) => i.token),
        a.invitation.token,
        other.invitation.token,
        `${invitations[1].id}.1.${mac}`,
      ],
      roleNames: ['owner', 'admin', 'member', customRole.name, 'Nope'],
      cursors: await genuineCursors(a),
    };
  }

  /** The tenant's genuine cursors, by the list operation that issued them (each list has several items). */
  const issuedCursors = new Map<Tenant, Record<string, string>>();

  async function genuineCursors(a: Tenant): Promise<string[]> {
    const lists = { listRoles: 'roles', listUsers: 'users', listInvitations: 'invitations' };
    const cursors: Record<string, string> = {};
    for (const [opId, list] of Object.entries(lists)) {
      const path = `/v1/organizations/${a.orgId}/${list}`;
      const res = await t.http().get(path).query({ limit: 1 }).set(auth(a.owner));
      if (typeof res.body.next_cursor !== 'string')
        throw new Error(`${path}: no cursor ${JSON.stringify(res.body)}`);
      cursors[opId] = res.body.next_cursor;
    }
    issuedCursors.set(a, cursors);
    return Object.values(cursors);
  }

  function requestArbitrary(op: Operation, pools: Pools): fc.Arbitrary<FuzzRequest> {
    const item = doc.paths[op.path][op.method]!;
    const queryParams = (item.parameters ?? [])
      .map((p) => p as { name: string; in: string; schema?: Schema })
      .filter((p) => p.in === 'query')
      .map((p) => ({ name: p.name, schema: p.schema ?? { type: 'string' } }));
    const hasBody = op.method === 'post' || op.method === 'put' || op.method === 'patch';
    return fc.record({
      caller: callerArbitrary,
      malformed: malformedCredentials,
      params: fc.record(
        Object.fromEntries(op.pathParams.map((name) => [name, pathParamArbitrary(name, pools)])),
      ),
      query: queryArbitrary(queryParams, pools, resolve),
      body: hasBody ? bodyArbitrary(op, pools, resolve) : fc.constant(undefined),
      headers: hostileHeaders,
    });
  }

  function credentials(req: FuzzRequest, a: Tenant): Record<string, string> {
    const key = (actor: Actor) => ({ 'X-API-Key': actor.key });
    switch (req.caller) {
      case 'owner':
        return key(a.owner);
      case 'bearer':
        return { Authorization: `Bearer ${a.owner.key}` };
      case 'admin':
        return key(a.admin);
      case 'member':
        return key(a.member);
      case 'other':
        return key(other.owner);
      case 'malformed':
        return req.malformed;
      case 'none':
        return {};
    }
  }

  function send(op: Operation, a: Tenant, req: FuzzRequest): Promise<Response> {
    const url = op.path.replace(/\{(\w+)\}/g, (_, name: string) => encodePathSegment(req.params[name]));
    let call = t
      .http()
      [op.method](url)
      .set({ ...req.headers, ...credentials(req, a) })
      .query(req.query);
    if (req.body && 'json' in req.body)
      call = call.set('Content-Type', 'application/json').send(JSON.stringify(req.body.json));
    else if (req.body) call = call.set('Content-Type', req.body.contentType).send(req.body.raw);
    return call;
  }

  /** Every `invitation_link` in a body is built from PUBLIC_APP_URL, whatever Host or X-Forwarded-Host said. */
  function links(value: unknown): string[] {
    if (Array.isArray(value)) return value.flatMap(links);
    if (!value || typeof value !== 'object') return [];
    return Object.entries(value).flatMap(([k, v]) =>
      k === 'invitation_link' && typeof v === 'string' ? [v] : links(v),
    );
  }

  function expectEnvelope(path: string, res: Response): void {
    if (path.startsWith(ORG_SLUG_ROUTE_PREFIX)) {
      expect(Object.keys(res.body).sort()).toEqual(['code', 'detail', 'errors', 'type']);
      expect(res.body.code).toBe(res.status);
    } else {
      expect(res.body.success).toBe(false);
      expect(res.body.error.status).toBe(res.status);
      expect(res.body.error.trace_id).toBe(res.headers['x-request-id']);
    }
  }

  function describeRequest(req: FuzzRequest): string {
    const text = JSON.stringify(req, (_k, v: unknown) =>
      typeof v === 'string' && v.length > 200 ? `${v.slice(0, 40)}…(${v.length})` : v,
    );
    return text.length > 2000 ? text.slice(0, 2000) + '…' : text;
  }

  it('covers every operation of the document', () => {
    expect([...ops.keys()].sort()).toEqual(Object.keys(OPERATIONS).sort());
  });

  /** `runs` generated requests for one operation, from `seed` (fast-check picks one when undefined). */
  async function fuzzOperation(id: string, runs: number, seed: number | undefined): Promise<void> {
    const op = ops.get(id)!;
    // Its own organization (and slug) per run, seeded or random.
    const a = await createTenant(t, seed === undefined ? `Fuzz ${id}` : `Fuzz ${id} seed ${seed}`);
    const pools = await poolsFor(a);
    let last: DbSnapshot = await snapshot(t.dataSource);

    await fc.assert(
      fc.asyncProperty(requestArbitrary(op, pools), async (req) => {
        const res = await send(op, a, req);
        const where = `${op.method.toUpperCase()} ${op.path} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}\nrequest: ${describeRequest(req)}`;
        try {
          expect(res.status).toBeLessThan(500);
          if (res.status === 431) {
            // Request line and headers over Node's limit: refused before routing, in our envelope.
            expectError(res, 431, 'REQUEST_HEADERS_TOO_LARGE');
            return;
          }
          expect(contract.problems(res)).toEqual([]);
          // A page after a cursor only for the cursor this very list issued; any other is a 400 cursor_invalid.
          if (res.status === 200 && typeof req.query.cursor === 'string' && req.query.cursor !== '')
            expect(req.query.cursor).toBe(issuedCursors.get(a)?.[op.id]);
          for (const link of links(res.body))
            expect(link.startsWith(`${PUBLIC_APP_URL}/user/register?invite=`)).toBe(true);
          if (res.status >= 400) {
            expectEnvelope(op.path, res);
            // A rejected request changed nothing.
            expect(await snapshot(t.dataSource)).toEqual(last);
          } else {
            last = await snapshot(t.dataSource);
          }
        } catch (error) {
          throw new Error(`${where}\n${(error as Error).message}`);
        }
      }),
      { numRuns: runs, seed, endOnFailure: !process.env.FUZZ_SHRINK, reporter: shortReport },
    );
  }

  it.each(Object.keys(OPERATIONS))(
    `%s: ${RUNS} generated requests, never a 5xx, always the documented response`,
    (id) => fuzzOperation(id, RUNS, SEED),
  );

  // The same property from seeds that once found a bug, so every run (CI's too) replays them.
  it.each(REGRESSION_SEEDS.map((r) => [r.operation, r.seed, r.runs, r.found] as const))(
    '%s from seed %d (%d runs), which found: %s',
    (operation, seed, runs) => fuzzOperation(operation, runs, seed),
  );

  it('answers hostile strings as unknown paths with an error envelope, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(hostileUrlString, async (segment) => {
        const res = await t.http().get(`/v1/${encodePathSegment(segment)}`);
        expect(res.status).toBeLessThan(500);
        expect(contract.problems(res)).toEqual([]);
      }),
      { numRuns: Math.min(RUNS, 50), seed: SEED, endOnFailure: true, reporter: shortReport },
    );
  });
});
