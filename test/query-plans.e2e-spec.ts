import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { Response } from 'supertest';
import {
  createFillerOrganizations,
  seedBulkApiKeys,
  seedBulkInvitations,
  bulkEmail,
} from '../bench/lib/seed.js';
import { CursorCodec } from '../src/common/pagination/cursor-codec.js';
import { withSessionOptions } from '../src/database/session-options.js';
import { auth, createWorld, World } from './support/fixtures.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * The hot queries stay index-driven as data grows: with a realistic spread of rows (20k
 * invitations and their invitees over 1000 organizations) and fresh statistics, the plan of the
 * exact SQL the app sends for each hot path (recorded from real requests through TypeORM's query
 * events, and the pool's for the hot reads sent past it), planned generically as the app's sessions
 * plan it (src/database/session-options.ts), has no sequential scan on any table that holds more than a handful of rows.
 */

const BULK_INVITATIONS = 20_000;
const FILLER_ORGS = 1000;
/** Tables below this size may be scanned: the planner rightly prefers that for a few pages. */
const BIG_TABLE_ROWS = 1000;

interface Recorded {
  query: string;
  parameters: unknown[];
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

describe('query plans of the hot paths', () => {
  let t: TestApp;
  let w: World;
  let client: pg.Client;
  let bigTables: Set<string>;
  let recording: Recorded[] | undefined;

  beforeAll(async () => {
    t = await createTestApp();
    w = await createWorld(t);
    // Every statement the app sends, with its parameters, while a test records.
    t.dataSource.subscribers.push({
      beforeQuery: (event) => {
        recording?.push({ query: event.query, parameters: (event.parameters ?? []) as unknown[] });
      },
    });
    // And the hot reads sent straight to the pool as named prepared statements (src/database/pool-query.ts).
    const pool = (
      t.dataSource.driver as unknown as { master: { query: (config: pg.QueryConfig) => unknown } }
    ).master;
    const poolQuery = pool.query.bind(pool);
    pool.query = (config: pg.QueryConfig) => {
      if (typeof config === 'object')
        recording?.push({ query: config.text, parameters: config.values ?? [] });
      return poolQuery(config);
    };
    // With the app's session options: its statements run on generic plans, so those are the plans checked.
    client = new pg.Client(withSessionOptions(t.config.databaseUrl));
    await client.connect();
    const fillers = await createFillerOrganizations(client, FILLER_ORGS, w.otherOwner.userId, 'plans');
    // Half of the rows are the world org's (a big tenant), the rest spread over the fillers.
    await seedBulkInvitations(client, 0, BULK_INVITATIONS, {
      readOrgId: w.orgId,
      fillerOrgIds: fillers,
      salt: 'plans',
    });
    await seedBulkApiKeys(client, 5000, 'plans');
    await client.query('ANALYZE');
    const { rows } = await client.query<{ relname: string }>(
      `SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace AND reltuples >= $1`,
      [BIG_TABLE_ROWS],
    );
    bigTables = new Set(rows.map((r) => r.relname));
  }, 120_000);

  afterAll(async () => {
    await client?.end();
    await t?.close();
  });

  /** Runs the request and returns the statements the app sent for it. */
  async function statementsOf(request: () => Promise<Response>, expectedStatus: number): Promise<Recorded[]> {
    recording = [];
    try {
      const res = await request();
      expect(res.status).toBe(expectedStatus);
      return recording;
    } finally {
      recording = undefined;
    }
  }

  function find(statements: Recorded[], fragment: RegExp): Recorded {
    const matches = statements.filter((s) => fragment.test(s.query));
    expect(matches.map((m) => m.query)).toHaveLength(1);
    return matches[0];
  }

  /** Sequential scans on big tables in the statement's plan, e.g. ['Seq Scan on invitations']. */
  async function bigSeqScans(statement: Recorded): Promise<string[]> {
    const { rows } = await client.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
      `EXPLAIN (FORMAT JSON) ${statement.query}`,
      statement.parameters,
    );
    const found: string[] = [];
    const walk = (node: PlanNode) => {
      if (node['Node Type'] === 'Seq Scan' && node['Relation Name'] && bigTables.has(node['Relation Name'])) {
        found.push(`Seq Scan on ${node['Relation Name']}`);
      }
      node.Plans?.forEach(walk);
    };
    walk(rows[0]['QUERY PLAN'][0].Plan);
    return found;
  }

  const explainable = (s: Recorded) => /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i.test(s.query);

  async function expectIndexedPlans(statements: Recorded[]): Promise<void> {
    const scans: Record<string, string[]> = {};
    expect(statements.filter(explainable).length).toBeGreaterThan(0);
    for (const statement of statements.filter(explainable)) {
      const found = await bigSeqScans(statement);
      if (found.length > 0) scans[statement.query.replace(/\s+/g, ' ').slice(0, 160)] = found;
    }
    expect(scans).toEqual({});
  }

  const pendingEmail = bulkEmail(2); // row 2: a pending invitation of the world org
  const getPending = (query: string) => () =>
    t.http().get(`/v1/organizations/${w.orgId}/invitation?${query}`).set(auth(w.member));

  it('seeds enough rows that the hot tables count as big', () => {
    for (const table of [
      'invitations',
      'users',
      'memberships',
      'membership_roles',
      'api_keys',
      'organizations',
      'roles',
    ]) {
      expect(bigTables).toContain(table);
    }
  });

  it('API-key lookup (user-level routes such as GET /v1/me)', async () => {
    const statements = await statementsOf(() => t.http().get('/v1/me').set(auth(w.member)), 200);
    expect(await bigSeqScans(find(statements, /FROM api_keys k JOIN users/))).toEqual([]);
  });

  it('caller and organization scope, in one query, by organization ID and by slug (every org-scoped request)', async () => {
    const byId = await statementsOf(getPending(`email=${pendingEmail}`), 200);
    expect(await bigSeqScans(find(byId, /FROM api_keys k[\s\S]*LEFT JOIN memberships m/))).toEqual([]);
    const bySlug = await statementsOf(
      () =>
        t.http().get(`/v1/organizations/${w.orgSlug}/invitation?email=${pendingEmail}`).set(auth(w.member)),
      200,
    );
    expect(await bigSeqScans(find(bySlug, /FROM api_keys k[\s\S]*LEFT JOIN memberships m/))).toEqual([]);
    // One round trip for authentication and the organization: no second lookup.
    expect(bySlug.filter((s) => /FROM (api_keys|organizations)\b/.test(s.query))).toHaveLength(1);
  });

  it('seed 003 lookup by email, user_id and invitation_id', async () => {
    const [invitation] = (
      await client.query<{ id: string; user_id: string }>(
        'SELECT id, user_id FROM invitations WHERE organization_id = $1 AND email = $2',
        [w.orgId, pendingEmail],
      )
    ).rows;
    for (const query of [
      `email=${pendingEmail}`,
      `user_id=${invitation.user_id}`,
      `invitation_id=${invitation.id}`,
    ]) {
      const statements = await statementsOf(getPending(query), 200);
      expect(await bigSeqScans(find(statements, /FROM invitations i\b/))).toEqual([]);
    }
  });

  it('list invitations: first page and a deep cursor', async () => {
    const list = (query: string) => () =>
      t.http().get(`/v1/organizations/${w.orgId}/invitations${query}`).set(auth(w.member));
    const first = await statementsOf(list(''), 200);
    expect(await bigSeqScans(find(first, /FROM invitations i\b/))).toEqual([]);

    const page = await list('?limit=100')();
    const [deep] = (
      await client.query<{ created_at: Date; id: string }>(
        'SELECT created_at, id FROM invitations WHERE organization_id = $1 ORDER BY created_at, id OFFSET 9000 LIMIT 1',
        [w.orgId],
      )
    ).rows;
    // The cursor a client holds after paging that far (signed by the app's own codec).
    const cursor = t.app.get(CursorCodec).for('invitations', w.orgId).encode(deep.created_at, deep.id);
    expect(page.body.next_cursor).toEqual(expect.any(String));
    const after = await statementsOf(list(`?cursor=${cursor}`), 200);
    expect(await bigSeqScans(find(after, /FROM invitations i\b/))).toEqual([]);
  });

  it('pending-invitation uniqueness: the expired-settling update (in the preconditions statement) and the 409 lookup', async () => {
    const invite = () =>
      t
        .http()
        .post(`/v1/organizations/${w.orgId}/invite-user`)
        .set(auth(w.owner))
        .send({ email: pendingEmail, role_id: w.roles.member, send_invitation: false });
    const statements = await statementsOf(invite, 409);
    expect(await bigSeqScans(find(statements, /UPDATE invitations AS i SET status = 'expired'/))).toEqual([]);
    expect(
      await bigSeqScans(
        find(
          statements,
          /^SELECT id FROM invitations WHERE organization_id = \$1 AND email = \$2 AND status = 'pending'/,
        ),
      ),
    ).toEqual([]);
  });

  it('every statement of an invite (v1 and v2) and of an accept', async () => {
    const email = 'plans-invitee@example.test';
    const v1 = await statementsOf(
      () =>
        t
          .http()
          .post(`/v1/organizations/${w.orgId}/invite-user`)
          .set(auth(w.owner))
          .send({ email, role_id: w.roles.member }),
      201,
    );
    await expectIndexedPlans(v1);
    const v2 = await statementsOf(
      () =>
        t
          .http()
          .post(`/v1/organizations/${w.orgId}/users/invite/v2`)
          .set(auth(w.owner))
          .send({ email: 'plans-invitee-2@example.test', role_ids: [w.roles.admin], send_invitation: false }),
      201,
    );
    await expectIndexedPlans(v2);
    const link = (
      await t.http().get(`/v1/organizations/${w.orgId}/invitation?email=${email}`).set(auth(w.owner))
    ).body.invitation_link as string;
    const token = decodeURIComponent(new URL(link).searchParams.get('invite')!);
    const accept = await statementsOf(() => t.http().post('/v1/invitations/accept').send({ token }), 200);
    await expectIndexedPlans(accept);
  });

  it('revoking (and declining) deletes the pending membership: the foreign-key action on invitations is indexed', async () => {
    const [pending] = (
      await client.query<{ id: string }>(
        `SELECT id FROM invitations WHERE organization_id = $1 AND email = $2`,
        [w.orgId, bulkEmail(4)],
      )
    ).rows;
    const revoke = await statementsOf(
      () => t.http().post(`/v1/organizations/${w.orgId}/invitations/${pending.id}/revoke`).set(auth(w.owner)),
      200,
    );
    await expectIndexedPlans(revoke);
    find(revoke, /^DELETE FROM memberships/);
    // Deleting a membership makes PostgreSQL run fk_invitations_membership's ON DELETE SET NULL as
    // this statement (ri_triggers.c), once per deleted row; EXPLAIN of the DELETE does not show it.
    const riAction = {
      query: 'UPDATE ONLY invitations SET membership_id = NULL WHERE $1 = membership_id',
      parameters: ['mem_x'],
    };
    expect(await bigSeqScans(riAction)).toEqual([]);
  });
});
