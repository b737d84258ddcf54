import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { OpenAPIObject } from '@nestjs/swagger';
import request, { type Response } from 'supertest';
import { buildOpenApiDocument } from '../../src/openapi/document.js';
import { OpenApiContract, withContract } from '../support/contract.js';
import { Actor, auth, createOrganizationWithOwner } from '../support/fixtures.js';
import { createTestApp, TestApp } from '../support/test-app.js';

/** A copy of a real response with some of its parts changed, as a broken server would send it. */
function tampered(
  res: Response,
  changes: { status?: number; body?: unknown; text?: string; headers?: Record<string, string> },
): Response {
  const { status, body, text, headers, request } = res;
  return { status, body, text, headers, request, ...changes } as Response;
}

/** The contract layer itself: it accepts what the app really sends and rejects each kind of drift. */
describe('contract validation (test/support/contract.ts)', () => {
  let t: TestApp;
  let contract: OpenApiContract;
  let owner: Actor;
  let orgSlug: string;
  const raw = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    t = await createTestApp();
    contract = new OpenApiContract(buildOpenApiDocument(t.app));
    ({ owner, orgSlug } = await createOrganizationWithOwner(t));
  });
  afterAll(() => t.close());

  it('accepts real responses: a body, a list, a 204, an error, an unknown route', async () => {
    const me = await raw().get('/v1/me').set(auth(owner));
    const keys = await raw().get('/v1/api-keys').set(auth(owner));
    const created = await raw().post('/v1/api-keys').set(auth(owner)).send({ name: 'temp' });
    const revoked = await raw().delete(`/v1/api-keys/${created.body.id}`).set(auth(owner));
    const unauthenticated = await raw().get('/v1/me');
    const unknown = await raw().get('/v1/nothing-here');
    expect([
      me.status,
      keys.status,
      created.status,
      revoked.status,
      unauthenticated.status,
      unknown.status,
    ]).toEqual([200, 200, 201, 204, 401, 404]);
    for (const res of [me, keys, created, revoked, unauthenticated, unknown])
      expect(contract.problems(res)).toEqual([]);
  });

  it('rejects a property the schema does not name, and a missing required one', async () => {
    const me = await raw().get('/v1/me').set(auth(owner));
    const extra = tampered(me, { body: { ...me.body, user: { ...me.body.user, password_hash: 'x' } } });
    expect(contract.problems(extra)).toEqual([
      expect.stringContaining('/user has a property the schema does not name: password_hash'),
    ]);
    const { email: _email, ...withoutEmail } = me.body.user;
    expect(contract.problems(tampered(me, { body: { ...me.body, user: withoutEmail } }))).toEqual([
      expect.stringContaining("must have required property 'email'"),
    ]);
  });

  it('rejects a wrong type, a null where none is allowed, and a timestamp without a zone', async () => {
    const me = await raw().get('/v1/me').set(auth(owner));
    const body = (user: Record<string, unknown>) => ({ ...me.body, user: { ...me.body.user, ...user } });
    expect(contract.problems(tampered(me, { body: body({ email: 42 }) }))).toHaveLength(1);
    expect(contract.problems(tampered(me, { body: body({ id: null }) }))).toHaveLength(1);
    expect(contract.problems(tampered(me, { body: body({ created_at: '2026-01-05T10:30:00' }) }))).toEqual([
      expect.stringContaining('must match format "date-time"'),
    ]);
    // Nullable fields take null.
    expect(contract.problems(tampered(me, { body: body({ full_name: null }) }))).toEqual([]);
  });

  it('rejects an undocumented status, a missing X-Request-Id, and a body on a 204', async () => {
    const me = await raw().get('/v1/me').set(auth(owner));
    expect(contract.problems(tampered(me, { status: 418 }))).toEqual([
      expect.stringContaining('status 418 is not documented for GET /v1/me'),
    ]);
    const { 'x-request-id': _id, ...headers } = me.headers as Record<string, string>;
    expect(contract.problems(tampered(me, { headers }))).toEqual([
      expect.stringContaining('no X-Request-Id header'),
    ]);
    const created = await raw().post('/v1/api-keys').set(auth(owner)).send({});
    const revoked = await raw().delete(`/v1/api-keys/${created.body.id}`).set(auth(owner));
    expect(contract.problems(tampered(revoked, { text: '{}' }))).toEqual([
      expect.stringContaining('promises no body'),
    ]);
  });

  it("checks seed 002's route against its own envelope, and other routes against the canonical one", async () => {
    const invalid = await raw()
      .post(`/api/v1/org/${orgSlug}/invitations`)
      .set(auth(owner))
      .send({ email: 'not-an-email', role: 'member' });
    expect(invalid.status).toBe(422);
    expect(contract.problems(invalid)).toEqual([]);
    const canonical = await raw().get('/v1/me');
    expect(contract.problems(tampered(invalid, { body: canonical.body }))).not.toEqual([]);
    expect(contract.problems(tampered(canonical, { body: invalid.body }))).not.toEqual([]);
    // An unknown route under /api/ answers in seed 002's envelope too.
    const unknown = await raw().get('/api/v1/nothing-here');
    expect(unknown.status).toBe(404);
    expect(contract.problems(unknown)).toEqual([]);
  });

  it('rejects a success from a route the document does not describe', async () => {
    const me = await raw().get('/v1/me').set(auth(owner));
    const document = buildOpenApiDocument(t.app) as OpenAPIObject;
    delete document.paths['/v1/me'];
    expect(new OpenApiContract(document).problems(me)).toEqual([
      expect.stringContaining('the route is not in the OpenAPI document'),
    ]);
  });

  it('fails the awaiting request when wrapped with withContract', async () => {
    const document = buildOpenApiDocument(t.app) as OpenAPIObject;
    delete document.paths['/v1/me']!.get!.responses['200'];
    const strictAgent = withContract(raw(), new OpenApiContract(document));
    await expect(strictAgent.get('/v1/me').set(auth(owner))).rejects.toThrow(
      /status 200 is not documented for GET \/v1\/me/,
    );
    // And passes a response that keeps the contract.
    await withContract(raw(), contract).get('/v1/me').set(auth(owner)).expect(200);
  });
});
