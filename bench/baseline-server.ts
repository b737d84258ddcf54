/**
 * The floor: the benchmarked requests served by Fastify and `pg` alone, with the same SQL in the
 * same transactions as the app (bench/baseline/sql.ts), the API-key and organization lookups
 * included, and the same response bodies — but no Nest, no TypeORM, no validation, no error
 * envelope, no helmet. It handles the happy paths the bench drives and answers anything else
 * with a bare status. Env: DATABASE_URL, PORT, INVITATION_SECRET, PUBLIC_APP_URL, INVITATION_TTL_DAYS.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import Fastify, { FastifyReply, FastifyRequest } from 'fastify';
import pg from 'pg';
import * as SQL from './baseline/sql.js';
import {
  decodeCursor,
  encodeCursor,
  generateApiKey,
  hashApiKey,
  newId,
  signInvitationToken,
} from './lib/secrets.js';
import { messageIdHost, pool, publicAppUrl, secret, ttlDays } from './lib/server-env.js';

class HttpError extends Error {
  constructor(readonly status: number) {
    super(String(status));
  }
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const isoOrNull = (d: Date | null) => (d ? iso(d) : null);
const link = (id: string, version: number) =>
  `${publicAppUrl}/user/register?invite=${encodeURIComponent(signInvitationToken(secret, id, version))}`;

interface OrgScope {
  organizationId: string;
  rank: number;
}

const touching = new Set<string>();

/** The guard's read: the caller by key and their membership in the path's org, in one query. */
async function authorize(
  request: FastifyRequest,
  minRank: number,
): Promise<{ userId: string; org: OrgScope }> {
  const key = request.headers['x-api-key'];
  if (typeof key !== 'string') throw new HttpError(401);
  const idOrSlug = (request.params as { organization_id: string }).organization_id;
  const rows = await pool.query<{
    key_id: string;
    touch_due: boolean;
    user_id: string;
    organization_id: string | null;
    rank: number | null;
  }>({
    ...SQL.callerInOrgFor(idOrSlug.startsWith('org_') ? 'id' : 'slug'),
    values: [idOrSlug, hashApiKey(key)],
  });
  const row = rows.rows[0];
  if (!row) throw new HttpError(401);
  // As the app does: not awaited, at most once a minute per key, one write in flight per key.
  if (row.touch_due && !touching.has(row.key_id)) {
    touching.add(row.key_id);
    pool
      .query(SQL.TOUCH_API_KEY, [row.key_id])
      .catch(() => undefined)
      .finally(() => touching.delete(row.key_id));
  }
  if (!row.organization_id || row.rank === null) throw new HttpError(404);
  const rank = row.rank;
  if (rank < minRank) throw new HttpError(403);
  return { userId: row.user_id, org: { organizationId: row.organization_id, rank } };
}

async function transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(SQL.START_TRANSACTION);
    const result = await work(client);
    await client.query(SQL.COMMIT);
    return result;
  } catch (error) {
    await client.query(SQL.ROLLBACK);
    throw error;
  } finally {
    client.release();
  }
}

interface InvitationRow {
  id: string;
  organization_id: string;
  user_id: string;
  membership_id: string | null;
  email: string;
  role_ids: string[];
  department_ids: string[];
  status: string;
  version: number;
  custom_message: string | null;
  invited_by: string | null;
  email_status: string;
  expires_at: Date;
  created_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
}

/** TypeORM's aliased columns (`i_email`) back to column names. */
function unalias<T>(row: Record<string, unknown>, alias: string): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k.slice(alias.length + 1)] = v;
  return out as T;
}

interface NewInvitation {
  email: string;
  fullName: string | null;
  roleIds: string[];
  departmentIds: string[];
  send: boolean;
  customMessage: string | null;
}

/** InvitationCreateService.createWithin, statement for statement. */
async function createInvitation(
  org: OrgScope,
  inviterId: string,
  input: NewInvitation,
): Promise<InvitationRow> {
  const { organizationId } = org;
  const email = input.email.trim().toLowerCase();
  return transaction(async (c) => {
    const policy = await c.query<{ allowed: boolean }>(SQL.INVITE_POLICY, [
      organizationId,
      email.slice(email.lastIndexOf('@') + 1),
    ]);
    if (!policy.rows[0]?.allowed) throw new HttpError(400);
    const roleIds =
      input.roleIds.length > 0
        ? input.roleIds
        : [(await c.query<{ id: string }>(SQL.MEMBER_ROLE_ID, [organizationId])).rows[0].id];
    const roles = await c.query<{ id: string; is_owner: boolean }>(SQL.ORG_ROLES, [organizationId, roleIds]);
    const departments =
      input.departmentIds.length === 0
        ? []
        : (await c.query<{ id: string }>(SQL.ORG_DEPARTMENTS, [organizationId, input.departmentIds])).rows;
    if (roles.rows.length !== roleIds.length || departments.length !== input.departmentIds.length)
      throw new HttpError(400);
    if (roles.rows.some((r) => r.is_owner) && org.rank < 3) throw new HttpError(403);

    await c.query(SQL.SETTLE_EXPIRED, [organizationId, email]);
    const invitationId = newId('inv');
    const inserted = await c.query<{ id: string }>(SQL.INSERT_INVITEE, [
      newId('usr'),
      email,
      input.fullName,
      invitationId,
    ]);
    const userId =
      inserted.rows[0]?.id ?? (await c.query<{ id: string }>(SQL.USER_BY_EMAIL, [email])).rows[0].id;
    const membership = await c.query<{ id: string }>(SQL.UPSERT_PENDING_MEMBERSHIP, [
      newId('mem'),
      organizationId,
      userId,
    ]);
    const membershipId = membership.rows[0]?.id;
    if (!membershipId) throw new HttpError(409);

    await c.query(SQL.INSERT_INVITATION, [
      invitationId,
      organizationId,
      userId,
      membershipId,
      email,
      input.fullName,
      roleIds,
      input.departmentIds,
      input.customMessage || null,
      inviterId,
      input.send ? 'queued' : 'not_requested',
      ttlDays,
    ]);
    await c.query(SQL.DELETE_OTHER_ROLES, [membershipId, roleIds]);
    await c.query(SQL.ADD_ROLES, [membershipId, roleIds]);
    await c.query(SQL.DELETE_OTHER_DEPARTMENTS, [membershipId, input.departmentIds]);
    await c.query(SQL.ADD_DEPARTMENTS, [membershipId, input.departmentIds]);
    await c.query(SQL.TOUCH_MEMBERSHIP, [membershipId]);
    if (input.send) {
      await c.query(SQL.SUPERSEDE_OUTBOX, [invitationId, 1]);
      await c.query(SQL.QUEUE_OUTBOX, [invitationId, 1, `<${invitationId}.v1@${messageIdHost}>`]);
    }
    const row = (await c.query(SQL.INVITATION_BY_ID, [invitationId])).rows[0] as Record<string, unknown>;
    return unalias<InvitationRow>(row, 'Invitation');
  });
}

function invitationResource(i: InvitationRow) {
  const pending = i.status === 'pending' && i.expires_at.getTime() > Date.now();
  const status = i.status === 'pending' && !pending ? 'expired' : i.status;
  return {
    invitation_id: i.id,
    organization_id: i.organization_id,
    email: i.email,
    user_id: i.user_id,
    role_id: i.role_ids[0],
    role_ids: i.role_ids,
    department_ids: i.department_ids,
    status,
    invitation_link: pending ? link(i.id, i.version) : null,
    custom_message: i.custom_message,
    invited_by: i.invited_by,
    email_status: i.email_status,
    expires_at: iso(i.expires_at),
    created_at: iso(i.created_at),
    accepted_at: isoOrNull(i.accepted_at),
    revoked_at: isoOrNull(i.revoked_at),
  };
}

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });

app.setErrorHandler((error: Error, _request: FastifyRequest, reply: FastifyReply) => {
  const status = error instanceof HttpError ? error.status : 500;
  if (status === 500) process.stderr.write(`${error.stack ?? error.message}\n`);
  void reply.status(status).send({ status });
});

app.get('/health/ready', async () => {
  await pool.query('SELECT 1');
  return { status: 'ok' };
});

app.post('/v1/organizations/:organization_id/invite-user', async (request, reply) => {
  const { userId, org } = await authorize(request, 2);
  const body = request.body as { email: string; role_id: string; send_invitation?: boolean };
  const invitation = await createInvitation(org, userId, {
    email: body.email,
    fullName: null,
    roleIds: [body.role_id],
    departmentIds: [],
    send: body.send_invitation ?? true,
    customMessage: null,
  });
  return reply.status(201).send({
    invitation_id: invitation.id,
    email: invitation.email,
    role_id: invitation.role_ids[0],
    user_id: invitation.user_id,
    invitation_link: link(invitation.id, invitation.version),
  });
});

app.post('/v1/organizations/:organization_id/users/invite/v2', async (request, reply) => {
  const { userId, org } = await authorize(request, 2);
  const body = request.body as {
    email: string;
    full_name?: string | null;
    role_ids?: string[];
    department_ids?: string[];
    send_invitation?: boolean;
    custom_message?: string | null;
  };
  const invitation = await createInvitation(org, userId, {
    email: body.email,
    fullName: body.full_name ?? null,
    roleIds: [...new Set(body.role_ids ?? [])],
    departmentIds: [...new Set(body.department_ids ?? [])],
    send: body.send_invitation ?? true,
    customMessage: body.custom_message ?? null,
  });
  const rows = await pool.query(SQL.MEMBER_VIEW, [org.organizationId, [invitation.user_id]]);
  const m = rows.rows[0] as Record<string, never>;
  return reply.status(201).send({
    id: m.user_id,
    full_name: m.full_name,
    email: m.email,
    user_name: m.user_name,
    account_state: m.account_state,
    role_ids: m.role_ids,
    department_ids: m.department_ids,
    organization_id: m.organization_id,
    invitation_link:
      m.link_invitation_id && m.link_invitation_version
        ? link(m.link_invitation_id, m.link_invitation_version)
        : null,
    invited_at: isoOrNull(m.invited_at),
    deactivated_at: isoOrNull(m.deactivated_at),
  });
});

app.get('/v1/organizations/:organization_id/invitation', async (request) => {
  const { org } = await authorize(request, 1);
  const query = request.query as { email?: string; user_id?: string; invitation_id?: string };
  const [column, value] =
    query.email !== undefined
      ? (['email', query.email.trim().toLowerCase()] as const)
      : query.user_id !== undefined
        ? (['user_id', query.user_id] as const)
        : (['id', query.invitation_id ?? ''] as const);
  const rows = await pool.query(SQL.pendingBy(column), [org.organizationId, value]);
  if (!rows.rows[0]) throw new HttpError(404);
  const i = unalias<InvitationRow>(rows.rows[0] as Record<string, unknown>, 'i');
  return {
    invitation_id: i.id,
    email: i.email,
    user_id: i.user_id,
    organization_id: i.organization_id,
    role_id: i.role_ids[0],
    invitation_link: link(i.id, i.version),
    expires_at: iso(i.expires_at),
    created_at: iso(i.created_at),
  };
});

app.get('/v1/organizations/:organization_id/invitations', async (request) => {
  const { org } = await authorize(request, 1);
  const query = request.query as { limit?: string; cursor?: string };
  const limit = query.limit ? Number(query.limit) : 20;
  let rows: pg.QueryResult;
  if (query.cursor) {
    const after = decodeCursor(secret, `invitations:${org.organizationId}`, query.cursor);
    if (!after) throw new Error('cursor_invalid');
    rows = await pool.query(SQL.listPageAfter(limit + 1), [org.organizationId, after.t, after.i]);
  } else {
    rows = await pool.query(SQL.listPage(limit + 1), [org.organizationId]);
  }
  const all = rows.rows.map((r) => unalias<InvitationRow>(r as Record<string, unknown>, 'i'));
  const hasMore = all.length > limit;
  const items = hasMore ? all.slice(0, limit) : all;
  const last = items[items.length - 1];
  return {
    data: items.map(invitationResource),
    has_more: hasMore,
    next_cursor:
      hasMore && last
        ? encodeCursor(secret, `invitations:${org.organizationId}`, last.created_at, last.id)
        : null,
  };
});

const TOKEN_SHAPE = /^(inv_[A-Za-z0-9]{1,64})\.([1-9][0-9]{0,8})\.([A-Za-z0-9_-]{43})$/;

function verifyToken(token: string): { invitationId: string; version: number } | undefined {
  const match = TOKEN_SHAPE.exec(token);
  if (!match) return undefined;
  const [, invitationId, versionText, mac] = match;
  const expected = Buffer.from(
    createHmac('sha256', Buffer.from(secret, 'utf8'))
      .update(`${invitationId}.${versionText}`)
      .digest('base64url'),
  );
  const given = Buffer.from(mac);
  return expected.length === given.length && timingSafeEqual(expected, given)
    ? { invitationId, version: Number(versionText) }
    : undefined;
}

app.post('/v1/invitations/accept', async (request) => {
  const body = request.body as { token: string; full_name?: string | null };
  const claims = verifyToken(body.token);
  if (!claims) throw new HttpError(404);
  return transaction(async (c) => {
    const locked = (await c.query(SQL.LOCK_INVITATION, [claims.invitationId])).rows[0] as
      Record<string, unknown> | undefined;
    const invitation = locked && unalias<InvitationRow>(locked, 'Invitation');
    if (!invitation || invitation.version !== claims.version) throw new HttpError(404);
    if (invitation.status !== 'pending' || invitation.expires_at.getTime() <= Date.now())
      throw new HttpError(409);
    const invitee = (
      await c.query<{ id: string; activated_at: Date | null; created_by_invitation_id: string | null }>(
        SQL.LOCK_INVITEE,
        [invitation.user_id],
      )
    ).rows[0];
    // The bench only accepts invitations whose invitee they created (the proof that needs no code and issues a key).
    if (invitee.activated_at || invitee.created_by_invitation_id !== invitation.id) throw new HttpError(403);
    await c.query(SQL.ACTIVATE_USER, [invitee.id, body.full_name ?? null]);
    await c.query(SQL.LOCK_KEY_OWNER, [invitee.id]);
    await c.query(SQL.COUNT_LIVE_KEYS, [invitee.id]);
    const apiKey = generateApiKey();
    const keyId = newId('key');
    await c.query(SQL.INSERT_API_KEY, [
      keyId,
      invitee.id,
      'invitation',
      apiKey.slice(0, 10),
      hashApiKey(apiKey),
    ]);
    await c.query(SQL.MARK_ACCEPTED, [invitation.id]);
    const activated = await c.query(SQL.ACTIVATE_MEMBERSHIP, [
      invitation.membership_id,
      invitation.organization_id,
    ]);
    if (activated.rows.length === 0) throw new HttpError(410);
    const user = (
      await c.query<{
        id: string;
        email: string;
        full_name: string | null;
        user_name: string | null;
        created_at: Date;
      }>(SQL.LOCK_INVITEE, [invitee.id])
    ).rows[0];
    return {
      user: {
        id: user.id,
        email: user.email,
        full_name: user.full_name,
        user_name: user.user_name,
        created_at: iso(user.created_at),
      },
      organization_id: invitation.organization_id,
      api_key: apiKey,
    };
  });
});

const shutdown = () => {
  void app
    .close()
    .then(() => pool.end())
    .then(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);

app
  .listen({ port: Number(process.env.PORT ?? 3001), host: process.env.HOST ?? '127.0.0.1' })
  .catch((error: unknown) => {
    process.stderr.write(`baseline failed to start: ${String(error)}\n`);
    process.exit(1);
  });
