import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Response } from 'supertest';
import { auth } from '../support/fixtures.js';
import { expectError } from '../support/envelope.js';
import { GENEROUS_LIMITS } from '../support/invitations.js';
import { createTestApp, TestApp } from '../support/test-app.js';
import { Operation, openApiOf, operationsOf, urlOf } from './support/operations.js';
import {
  createTenant,
  freshApiKeyId,
  freshDepartment,
  freshDomain,
  freshInvitation,
  Tenant,
} from './support/tenants.js';

const b64 = (text: string) => Buffer.from(text).toString('base64url');

/** Cursors the service never issued: the examples, and the ways a real one gets edited. */
const FORGED: Record<string, string> = {
  'a one-character timestamp Date.parse accepts': b64('{"t":"1","i":"role_abc"}'),
  '"March 7"': b64('{"t":"March 7","i":"role_abc"}'),
  'a year-275760 timestamp': b64('{"t":"+275760-09-13T00:00:00.000Z","i":"role_abc"}'),
  'a well-formed but unsigned position': b64('{"t":"2026-01-05T10:30:00.000Z","i":"role_abc"}'),
  'year 0': b64('{"t":"0000-01-01T00:00:00.000Z","i":"usr_abc"}'),
  'a timestamp with an offset': b64('{"t":"2026-01-05T10:30:00+02:00","i":"inv_abc"}'),
  'a number for t': b64('{"t":1767609000000,"i":"inv_abc"}'),
  'an id with SQL': b64(`{"t":"2026-01-05T10:30:00.000Z","i":"x' OR 1=1 --"}`),
  'JSON that is not an object': b64('["2026-01-05T10:30:00.000Z","inv_abc"]'),
  'not base64url': 'not a cursor!',
  'empty JSON': b64('{}'),
  'a NUL byte': b64('{"t":"2026-01-05T10:30:00.000Z\u0000","i":"inv_abc"}'),
};

/** A 400 VALIDATION_ERROR naming `query.cursor` with type `cursor_invalid`, never a 500. */
function expectCursorInvalid(res: Response, what: string): void {
  try {
    const error = expectError(res, 400, 'VALIDATION_ERROR');
    expect(error.details).toEqual({
      errors: [{ loc: ['query', 'cursor'], msg: expect.any(String), type: 'cursor_invalid' }],
    });
  } catch (e) {
    throw new Error(
      `${what}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}\n${(e as Error).message}`,
    );
  }
}

describe('cursors: only a cursor the service issued for this list is accepted (every list route)', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let lists: Operation[];
  /** For each list: a genuine next_cursor of tenant A's list (and of B's, for org-scoped lists). */
  const issued = new Map<string, { a: string; b: string }>();
  /** Path parameters below the organization: the tenant's first webhook endpoint (its delivery log). */
  const params = new Map<Tenant, Record<string, string>>();

  async function firstCursor(op: Operation, org: Tenant): Promise<string> {
    const res = await t
      .http()
      .get(urlOf(op, org, { params: params.get(org) }))
      .query({ limit: 1 })
      .set(auth(org.owner));
    expect(res.status).toBe(200);
    expect(res.body.has_more).toBe(true);
    return res.body.next_cursor as string;
  }

  beforeAll(async () => {
    t = await createTestApp(GENEROUS_LIMITS);
    a = await createTenant(t, 'Cursor A');
    b = await createTenant(t, 'Cursor B');
    // Every list of each tenant gets at least two items, so limit=1 hands out a cursor.
    for (const org of [a, b]) {
      await freshInvitation(t, org);
      await freshDepartment(t, org);
      await freshDomain(t, org);
      await freshDomain(t, org);
      await freshApiKeyId(t, org.owner);
      const second = await t
        .http()
        .post('/v1/organizations')
        .set(auth(org.owner))
        .send({ name: `${org.name} 2` });
      expect(second.status).toBe(201);
      // The first endpoint receives its own and the second one's webhook_endpoint.created: two deliveries.
      const endpoints: string[] = [];
      for (const n of [1, 2]) {
        const res = await t
          .http()
          .post(`/v1/organizations/${org.orgId}/webhook-endpoints`)
          .set(auth(org.owner))
          .send({ url: `https://hooks${n}.example.com/` });
        expect(res.status).toBe(201);
        endpoints.push(res.body.id as string);
      }
      params.set(org, { endpoint_id: endpoints[0] });
    }
    const doc = openApiOf(t);
    lists = operationsOf(doc).filter((op) => {
      const schema = (op.responses['200'] as { content?: Record<string, { schema?: { $ref?: string } }> })
        ?.content?.['application/json']?.schema?.$ref;
      // Suggestions hold at most one organization per email domain (one organization verifies a
      // domain), so that list never has a second page to hand out a cursor for.
      return op.method === 'get' && /PageDto$/.test(schema ?? '') && op.id !== 'listOrganizationSuggestions';
    });
    for (const op of lists) issued.set(op.id, { a: await firstCursor(op, a), b: await firstCursor(op, b) });
  });
  afterAll(() => t.close());

  it('finds every paginated list of the document', () => {
    expect(lists.map((op) => op.id).sort()).toEqual(
      [
        'listApiKeys',
        'listDepartments',
        'listDomains',
        'listEvents',
        'listInvitations',
        'listOrganizations',
        'listRoles',
        'listUsers',
        'listWebhookDeliveries',
        'listWebhookEndpoints',
      ].sort(),
    );
  });

  it('follows a cursor it issued to the next page', async () => {
    for (const op of lists) {
      const res = await t
        .http()
        .get(urlOf(op, a, { params: params.get(a) }))
        .query({ limit: 1, cursor: issued.get(op.id)!.a })
        .set(auth(a.owner));
      expect({ op: op.id, status: res.status }).toEqual({ op: op.id, status: 200 });
      expect(res.body.data).toHaveLength(1);
    }
  });

  it.each(Object.entries(FORGED))(
    'refuses %s on every list with 400 cursor_invalid',
    async (what, cursor) => {
      for (const op of lists) {
        const res = await t
          .http()
          .get(urlOf(op, a, { params: params.get(a) }))
          .query({ cursor })
          .set(auth(a.owner));
        expectCursorInvalid(res, `${op.id} with ${what}`);
      }
    },
  );

  it('refuses a real cursor truncated, with a character changed, or with a character added', async () => {
    for (const op of lists) {
      const cursor = issued.get(op.id)!.a;
      const flip = (i: number) => cursor.slice(0, i) + (cursor[i] === 'A' ? 'B' : 'A') + cursor.slice(i + 1);
      const edits = {
        truncated: cursor.slice(0, -1),
        'cut in half': cursor.slice(0, Math.floor(cursor.length / 2)),
        'first character changed': flip(0),
        'middle character changed': flip(Math.floor(cursor.length / 2)),
        'last character changed': flip(cursor.length - 1),
        'a character added': cursor + 'A',
      };
      for (const [what, edited] of Object.entries(edits)) {
        const res = await t
          .http()
          .get(urlOf(op, a, { params: params.get(a) }))
          .query({ cursor: edited })
          .set(auth(a.owner));
        expectCursorInvalid(res, `${op.id} with a cursor ${what}`);
      }
    }
  });

  it('refuses a cursor from another list, and from the same list of another organization or user', async () => {
    for (const op of lists) {
      for (const from of lists.filter((other) => other.id !== op.id)) {
        const res = await t
          .http()
          .get(urlOf(op, a, { params: params.get(a) }))
          .query({ cursor: issued.get(from.id)!.a })
          .set(auth(a.owner));
        expectCursorInvalid(res, `${op.id} with a cursor of ${from.id}`);
      }
      // Tenant B's cursor for the same list: B's organization, or B's owner's own organizations and keys.
      const res = await t
        .http()
        .get(urlOf(op, a, { params: params.get(a) }))
        .query({ cursor: issued.get(op.id)!.b })
        .set(auth(a.owner));
      expectCursorInvalid(res, `${op.id} with another tenant's cursor of the same list`);
    }
  });
});
