/**
 * The floor: the benchmarked requests served by Fastify and `pg` alone with the fewest round trips
 * the contract allows (bench/floor/sql.ts): every org-scoped request is one auth query and then
 * one statement; accept is one statement. Same schema and indexes as the app, the same rules
 * (email normalisation, invite policy, roles and departments of the org, only an Owner grants
 * Owner, the races decided by the database) and every write the contract requires, the event row
 * and the outbox row included. Named prepared statements; bodies checked by Fastify's compiled
 * JSON schemas. Errors answer the contract's status and code, without the full envelope.
 * Env: DATABASE_URL, PORT, HOST, INVITATION_SECRET, PUBLIC_APP_URL, INVITATION_TTL_DAYS.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import Fastify, { FastifyReply, FastifyRequest } from 'fastify';
import { normalizeEmail } from './floor/email.js';
import * as SQL from './floor/sql.js';
import {
  decodeCursor,
  encodeCursor,
  generateApiKey,
  hashApiKey,
  newId,
  signInvitationToken,
} from './lib/secrets.js';
import { messageIdHost, pool, publicAppUrl, secret, serve, ttlDays } from './lib/server-env.js';

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code);
  }
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const isoOrNull = (d: Date | null) => (d ? iso(d) : null);
const link = (id: string, version: number) =>
  `${publicAppUrl}/user/register?invite=${encodeURIComponent(signInvitationToken(secret, id, version))}`;

interface Caller {
  userId: string;
  keyId: string;
  organizationId: string;
  rank: number;
}

const touching = new Set<string>();

/** The auth query: key, membership and rank in one round trip; 401 / 404 / 403 as the contract says. */
async function authorize(request: FastifyRequest, minRank: number): Promise<Caller> {
  const key = request.headers['x-api-key'];
  if (typeof key !== 'string') throw new HttpError(401, 'AUTHENTICATION_REQUIRED');
  const idOrSlug = (request.params as { organization_id: string }).organization_id;
  const query = idOrSlug.startsWith('org_') ? SQL.AUTH_BY_ID : SQL.AUTH_BY_SLUG;
  const { rows } = await pool.query<{
    key_id: string;
    user_id: string;
    touch_due: boolean;
    organization_id: string | null;
    rank: number;
  }>({
    ...query,
    values: [idOrSlug.length > 64 ? '' : idOrSlug, hashApiKey(key)],
  });
  const row = rows[0];
  if (!row) throw new HttpError(401, 'INVALID_API_KEY');
  if (row.touch_due && !touching.has(row.key_id)) {
    touching.add(row.key_id);
    pool
      .query({ ...SQL.TOUCH_API_KEY, values: [row.key_id] })
      .catch(() => undefined)
      .finally(() => touching.delete(row.key_id));
  }
  if (!row.organization_id) throw new HttpError(404, 'ORGANIZATION_NOT_FOUND');
  if (row.rank < minRank) throw new HttpError(403, 'INSUFFICIENT_PERMISSIONS');
  return { userId: row.user_id, keyId: row.key_id, organizationId: row.organization_id, rank: row.rank };
}

interface NewInvitation {
  email: string;
  fullName: string | null;
  roleIds: string[];
  departmentIds: string[];
  send: boolean;
  customMessage: string | null;
}

interface InviteRow {
  policy_ok: boolean;
  roles_ok: boolean;
  departments_ok: boolean;
  owner_ok: boolean;
  user_id: string | null;
  full_name: string | null;
  user_name: string | null;
  membership_id: string | null;
  invited_at: Date | null;
  deactivated_at: Date | null;
  invitation_id: string | null;
  role_ids: string[];
  department_ids: string[];
  version: number;
  email_status: string;
  link_visible: boolean;
}

const isUniqueViolation = (error: unknown, constraint: string) =>
  (error as { code?: string }).code === '23505' &&
  (error as { constraint?: string }).constraint === constraint;

/** The invite: one statement (bench/floor/sql.ts INVITE); the result's flags say which rule refused. */
async function createInvitation(
  caller: Caller,
  input: NewInvitation,
): Promise<InviteRow & { invitation_id: string; email: string }> {
  const email = normalizeEmail(input.email);
  if (!email) throw new HttpError(400, 'VALIDATION_ERROR');
  const invitationId = newId('inv');
  const values = [
    caller.organizationId,
    email,
    input.roleIds,
    input.departmentIds,
    email.slice(email.lastIndexOf('@') + 1),
    caller.rank,
    newId('usr'),
    input.fullName,
    invitationId,
    newId('mem'),
    input.customMessage || null,
    caller.userId,
    input.send ? 'queued' : 'not_requested',
    ttlDays,
    input.send,
    `<${invitationId}.v1@${messageIdHost}>`,
    newId('evt'),
    caller.keyId,
  ];
  // A concurrent invite of the same new email may commit between this statement's snapshot and its
  // user insert (ON CONFLICT then neither inserts nor sees the row): one more try sees it.
  for (let attempt = 1; ; attempt++) {
    let row: InviteRow;
    try {
      row = (await pool.query<InviteRow>({ ...SQL.INVITE, values })).rows[0];
    } catch (error) {
      if (!isUniqueViolation(error, 'uq_invitations_pending_email')) throw error;
      await pool.query({ ...SQL.PENDING_ID, values: [caller.organizationId, email] });
      throw new HttpError(409, 'INVITATION_ALREADY_PENDING');
    }
    if (!row.policy_ok) throw new HttpError(400, 'EMAIL_DOMAIN_NOT_ALLOWED');
    if (!row.roles_ok || !row.departments_ok) throw new HttpError(400, 'VALIDATION_ERROR');
    if (!row.owner_ok) throw new HttpError(403, 'INSUFFICIENT_PERMISSIONS');
    if (row.user_id && !row.membership_id) throw new HttpError(409, 'USER_ALREADY_EXISTS');
    if (row.invitation_id) return { ...row, invitation_id: row.invitation_id, email };
    if (attempt >= 2) throw new Error('invite wrote nothing twice');
  }
}

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });

app.setErrorHandler(
  (
    error: Error & { validation?: unknown; statusCode?: number },
    _request: FastifyRequest,
    reply: FastifyReply,
  ) => {
    if (error instanceof HttpError) return reply.status(error.status).send({ error: { code: error.code } });
    if (error.validation) return reply.status(400).send({ error: { code: 'VALIDATION_ERROR' } });
    if (error.statusCode && error.statusCode < 500)
      return reply.status(error.statusCode).send({ error: { code: 'BAD_REQUEST' } });
    process.stderr.write(`${error.stack ?? error.message}\n`);
    return reply.status(500).send({ error: { code: 'INTERNAL_ERROR' } });
  },
);

app.get('/health/ready', async () => {
  await pool.query('SELECT 1');
  return { status: 'ok' };
});

const id = { type: 'string', minLength: 1, maxLength: 64 } as const;
const ids = { type: 'array', items: id, maxItems: 100 } as const;
const orgParams = {
  type: 'object',
  properties: { organization_id: { type: 'string', minLength: 1 } },
} as const;

app.post(
  '/v1/organizations/:organization_id/invite-user',
  {
    schema: {
      params: orgParams,
      body: {
        type: 'object',
        required: ['email', 'role_id'],
        additionalProperties: false,
        properties: {
          email: { type: 'string', maxLength: 320 },
          role_id: id,
          send_invitation: { type: 'boolean' },
        },
      },
    },
  },
  async (request, reply) => {
    const caller = await authorize(request, 2);
    const body = request.body as { email: string; role_id: string; send_invitation?: boolean };
    const created = await createInvitation(caller, {
      email: body.email,
      fullName: null,
      roleIds: [body.role_id],
      departmentIds: [],
      send: body.send_invitation ?? true,
      customMessage: null,
    });
    return reply.status(201).send({
      invitation_id: created.invitation_id,
      email: created.email,
      role_id: created.role_ids[0],
      user_id: created.user_id,
      invitation_link: created.link_visible ? link(created.invitation_id, created.version) : null,
    });
  },
);

app.post(
  '/v1/organizations/:organization_id/users/invite/v2',
  {
    schema: {
      params: orgParams,
      body: {
        type: 'object',
        required: ['email'],
        additionalProperties: false,
        properties: {
          email: { type: 'string', maxLength: 320 },
          full_name: { type: ['string', 'null'], maxLength: 255 },
          role_ids: ids,
          department_ids: ids,
          send_invitation: { type: 'boolean' },
          custom_message: { type: ['string', 'null'], maxLength: 2000 },
        },
      },
    },
  },
  async (request, reply) => {
    const caller = await authorize(request, 2);
    const body = request.body as {
      email: string;
      full_name?: string | null;
      role_ids?: string[];
      department_ids?: string[];
      send_invitation?: boolean;
      custom_message?: string | null;
    };
    const send = body.send_invitation ?? true;
    const created = await createInvitation(caller, {
      email: body.email,
      fullName: body.full_name ?? null,
      roleIds: [...new Set(body.role_ids ?? [])],
      departmentIds: [...new Set(body.department_ids ?? [])],
      send,
      customMessage: body.custom_message ?? null,
    });
    // The member view, from what the statement returned: its roles and departments are exactly the invited ones.
    return reply.status(201).send({
      id: created.user_id,
      full_name: created.full_name,
      email: created.email,
      user_name: created.user_name,
      account_state: 'pending_invitation',
      role_ids: [...created.role_ids].sort(),
      department_ids: [...created.department_ids].sort(),
      organization_id: caller.organizationId,
      invitation_link: !send && created.link_visible ? link(created.invitation_id, created.version) : null,
      invited_at: isoOrNull(created.invited_at),
      deactivated_at: isoOrNull(created.deactivated_at),
    });
  },
);

app.get(
  '/v1/organizations/:organization_id/invitation',
  {
    schema: {
      params: orgParams,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { email: { type: 'string', maxLength: 320 }, user_id: id, invitation_id: id },
        minProperties: 1,
        maxProperties: 1,
      },
    },
  },
  async (request) => {
    const caller = await authorize(request, 1);
    const query = request.query as { email?: string };
    // The bench asks by email; the other two keys are the same statement on another indexed column.
    if (query.email === undefined) throw new HttpError(400, 'VALIDATION_ERROR');
    const email = normalizeEmail(query.email);
    if (!email) throw new HttpError(400, 'VALIDATION_ERROR');
    const { rows } = await pool.query<{
      id: string;
      email: string;
      user_id: string;
      organization_id: string;
      version: number;
      expires_at: Date;
      created_at: Date;
      role_id: string;
      link_visible: boolean;
    }>({ ...SQL.PENDING_BY_EMAIL, values: [caller.organizationId, email, caller.rank] });
    const i = rows[0];
    if (!i) throw new HttpError(404, 'INVITATION_NOT_FOUND');
    return {
      invitation_id: i.id,
      email: i.email,
      user_id: i.user_id,
      organization_id: i.organization_id,
      role_id: i.role_id,
      invitation_link: i.link_visible ? link(i.id, i.version) : null,
      expires_at: iso(i.expires_at),
      created_at: iso(i.created_at),
    };
  },
);

interface ListRow {
  id: string;
  organization_id: string;
  email: string;
  user_id: string;
  status: string;
  version: number;
  custom_message: string | null;
  invited_by: string | null;
  email_status: string;
  expires_at: Date;
  created_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
  role_ids: string[];
  department_ids: string[];
  link_visible: boolean;
}

function invitationResource(i: ListRow, now: number) {
  const pending = i.status === 'pending' && i.expires_at.getTime() > now;
  return {
    invitation_id: i.id,
    organization_id: i.organization_id,
    email: i.email,
    user_id: i.user_id,
    role_id: i.role_ids[0],
    role_ids: i.role_ids,
    department_ids: i.department_ids,
    status: i.status === 'pending' && !pending ? 'expired' : i.status,
    invitation_link: pending && i.link_visible ? link(i.id, i.version) : null,
    custom_message: i.custom_message,
    invited_by: i.invited_by,
    email_status: i.email_status,
    expires_at: iso(i.expires_at),
    created_at: iso(i.created_at),
    accepted_at: isoOrNull(i.accepted_at),
    revoked_at: isoOrNull(i.revoked_at),
  };
}

app.get(
  '/v1/organizations/:organization_id/invitations',
  {
    schema: {
      params: orgParams,
      querystring: {
        type: 'object',
        properties: {
          limit: { type: 'integer', minimum: 1, maximum: 100 },
          cursor: { type: 'string', maxLength: 200 },
        },
      },
    },
  },
  async (request) => {
    const caller = await authorize(request, 1);
    const query = request.query as { limit?: number; cursor?: string };
    const limit = query.limit ?? 20;
    const list = `invitations:${caller.organizationId}`;
    let rows: ListRow[];
    if (query.cursor) {
      const after = decodeCursor(secret, list, query.cursor);
      if (!after) throw new HttpError(400, 'VALIDATION_ERROR');
      rows = (
        await pool.query<ListRow>({
          ...SQL.LIST_AFTER,
          values: [caller.organizationId, caller.rank, limit + 1, after.t, after.i],
        })
      ).rows;
    } else {
      rows = (
        await pool.query<ListRow>({
          ...SQL.LIST_FIRST,
          values: [caller.organizationId, caller.rank, limit + 1],
        })
      ).rows;
    }
    const hasMore = rows.length > limit;
    const items = hasMore ? rows.slice(0, limit) : rows;
    const last = items[items.length - 1];
    const now = Date.now();
    return {
      data: items.map((i) => invitationResource(i, now)),
      has_more: hasMore,
      next_cursor: hasMore && last ? encodeCursor(secret, list, last.created_at, last.id) : null,
    };
  },
);

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

app.post(
  '/v1/invitations/accept',
  {
    schema: {
      body: {
        type: 'object',
        required: ['token'],
        properties: {
          token: { type: 'string', maxLength: 200 },
          full_name: { type: ['string', 'null'], maxLength: 255 },
        },
      },
    },
  },
  async (request) => {
    const body = request.body as { token: string; full_name?: string | null };
    const claims = verifyToken(body.token);
    if (!claims) throw new HttpError(404, 'INVITATION_NOT_FOUND');
    const apiKey = generateApiKey();
    const { rows } = await pool.query<{
      organization_id: string;
      id: string;
      email: string;
      full_name: string | null;
      user_name: string | null;
      email_verified_at: Date | null;
      created_at: Date;
    }>({
      ...SQL.ACCEPT,
      values: [
        claims.invitationId,
        claims.version,
        body.full_name ?? null,
        newId('key'),
        apiKey.slice(0, 10),
        hashApiKey(apiKey),
        newId('evt'),
        newId('evt'),
        newId('evt'),
      ],
    });
    const row = rows[0];
    if (!row) throw await acceptRefusal(claims.invitationId, claims.version);
    return {
      user: {
        id: row.id,
        email: row.email,
        full_name: row.full_name,
        user_name: row.user_name,
        email_verified: row.email_verified_at !== null,
        created_at: iso(row.created_at),
      },
      organization_id: row.organization_id,
      api_key: apiKey,
    };
  },
);

/** Why the accept statement matched nothing, read after it (never before: the statement decided). */
async function acceptRefusal(invitationId: string, version: number): Promise<HttpError> {
  const { rows } = await pool.query<{
    version: number;
    status: string;
    live: boolean;
    created: boolean;
    account_state: string | null;
  }>({
    ...SQL.ACCEPT_REFUSAL,
    values: [invitationId],
  });
  const r = rows[0];
  if (!r || r.version !== version) return new HttpError(404, 'INVITATION_NOT_FOUND');
  if (r.status === 'accepted') return new HttpError(409, 'INVITATION_ALREADY_ACCEPTED');
  if (r.status !== 'pending' || !r.live) return new HttpError(410, 'INVITATION_EXPIRED');
  if (r.account_state !== 'pending_invitation') return new HttpError(410, 'INVITATION_REVOKED');
  // An existing or unverified account: the app's other proofs (caller's key, emailed code), not benchmarked.
  return new HttpError(403, 'EMAIL_VERIFICATION_REQUIRED');
}

serve(app, 'floor', 3002);
