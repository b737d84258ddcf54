/**
 * The baseline: the benchmarked requests served by Fastify and `pg` alone, with the same SQL in the
 * same transactions as the app (bench/baseline/sql.ts), the API-key and organization lookups
 * included, and the same response bodies — but no Nest, no TypeORM, no validation, no error
 * envelope, no helmet. It handles the happy paths the bench drives and answers anything else
 * with a bare status. Env: DATABASE_URL, PORT, INVITATION_SECRET, PUBLIC_APP_URL, INVITATION_TTL_DAYS,
 * MAX_API_KEYS_PER_USER.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import Fastify, { FastifyReply, FastifyRequest } from 'fastify';
import { pathToFileURL } from 'node:url';
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
import { maxApiKeysPerUser, pool, publicAppUrl, secret, serve, ttlDays } from './lib/server-env.js';

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

interface Caller {
  userId: string;
  apiKeyId: string;
}

const touching = new Set<string>();

/** The guard's read: the caller by key and their membership in the path's org, in one query. */
async function authorize(
  request: FastifyRequest,
  minRank: number,
): Promise<{ caller: Caller; org: OrgScope }> {
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
  return {
    caller: { userId: row.user_id, apiKeyId: row.key_id },
    org: { organizationId: row.organization_id, rank },
  };
}

/** Who sees a link (src/invitations/link-visibility.ts): an Admin, or an Owner for one granting Owner. */
const maySeeLink = (rank: number, grantsOwner: boolean) => rank >= (grantsOwner ? 3 : 2);

/** What a transaction's work sends its statements through. */
interface TransactionClient {
  query<R extends pg.QueryResultRow>(
    statement: pg.QueryConfig,
    values: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

/**
 * As the app's TransactionPipeliningClient does, START TRANSACTION goes out with the first
 * statement, in one write (pg's pipeline mode, on in lib/server-env.ts), so the baseline makes the
 * app's round trips.
 */
async function transaction<T>(work: (client: TransactionClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let begun = false;
  const inTransaction: TransactionClient = {
    query<R extends pg.QueryResultRow>(statement: pg.QueryConfig, values: unknown[]) {
      if (begun) return client.query<R>(statement, values);
      begun = true;
      client.connection.stream.cork();
      try {
        const start = client.query(SQL.START_TRANSACTION);
        const result = client.query<R>(statement, values);
        return Promise.all([start, result]).then(([, done]) => done);
      } finally {
        client.connection.stream.uncork();
      }
    },
  };
  try {
    const result = await work(inTransaction);
    if (begun) await client.query(SQL.COMMIT);
    return result;
  } catch (error) {
    if (begun) await client.query(SQL.ROLLBACK);
    throw error;
  } finally {
    client.release();
  }
}

interface NewEvent {
  type: string;
  organizationId: string | null;
  actor: { id: string; apiKeyId: string | null };
  subjectId: string;
  data: unknown;
}

/** EventLog.appendAll: the events (with the webhook endpoints match) in one statement. */
async function appendEvents(c: TransactionClient, events: NewEvent[]): Promise<void> {
  await c.query(SQL.APPEND_EVENTS, [
    events.map(() => newId('evt')),
    events.map((e) => e.organizationId),
    events.map((e) => e.type),
    events.map(() => 'user'),
    events.map((e) => e.actor.id),
    events.map((e) => e.actor.apiKeyId),
    events.map((e) => e.type.slice(0, e.type.indexOf('.'))),
    events.map((e) => e.subjectId),
    events.map((e) => JSON.stringify(e.data)),
  ]);
}

interface NewInvitation {
  email: string;
  fullName: string | null;
  roleIds: string[];
  departmentIds: string[];
  send: boolean;
  customMessage: string | null;
}

interface CreatedInvitation {
  id: string;
  email: string;
  userId: string;
  roleIds: string[];
  version: number;
  grantsOwner: boolean;
  invitee: InviteeRow;
}

/** InvitationCreateService.createWithin, statement for statement. */
async function createInvitation(
  org: OrgScope,
  caller: Caller,
  input: NewInvitation,
): Promise<CreatedInvitation> {
  const { organizationId } = org;
  const email = input.email.trim().toLowerCase();
  return transaction(async (c) => {
    const preconditions = c.query<{
      policy_allows: boolean | null;
      roles: { id: string; is_owner: boolean }[];
      department_ids: string[];
    }>(SQL.PRECONDITIONS, [
      organizationId,
      email,
      email.slice(email.lastIndexOf('@') + 1),
      input.roleIds,
      input.departmentIds,
    ]);
    const invitationId = newId('inv');
    const emailStatus = input.send ? 'queued' : 'not_requested';
    const customMessage = input.customMessage || null;
    // UsersRepository.upsertPendingInvitee with InvitationRepository.newInvitationPart: one statement,
    // sent right behind the preconditions when the roles are named, as the app does.
    type Invitee = InviteeRow & { created_at: Date | null; expires_at: Date | null };
    const writeInvitee = async (roleIds: string[]): Promise<Invitee> => {
      for (;;) {
        const [row] = (
          await c.query<Invitee>(SQL.INSERT_INVITATION_AFTER_INVITEE, [
            newId('usr'),
            email,
            input.fullName,
            invitationId,
            newId('mem'),
            organizationId,
            roleIds,
            input.departmentIds,
            invitationId,
            email,
            input.fullName,
            roleIds,
            input.departmentIds,
            customMessage,
            caller.userId,
            emailStatus,
            ttlDays,
          ])
        ).rows;
        if (row) return row;
      }
    };
    const sentAhead = input.roleIds.length > 0 ? writeInvitee(input.roleIds) : undefined;
    sentAhead?.catch(() => undefined);
    let roleIds: string[];
    let grantsOwner: boolean;
    try {
      const pre = (await preconditions).rows[0];
      if (!pre.policy_allows) throw new HttpError(400);
      if (
        (input.roleIds.length > 0 ? pre.roles.length !== input.roleIds.length : pre.roles.length === 0) ||
        pre.department_ids.length !== input.departmentIds.length
      )
        throw new HttpError(400);
      grantsOwner = pre.roles.some((r) => r.is_owner);
      if (!maySeeLink(org.rank, grantsOwner)) throw new HttpError(403);
      roleIds = input.roleIds.length > 0 ? input.roleIds : pre.roles.map((r) => r.id);
    } catch (refusal) {
      await sentAhead?.catch(() => undefined);
      throw refusal;
    }
    const invitee = await (sentAhead ?? writeInvitee(roleIds));
    const userId = invitee.user_id;
    if (!invitee.membership_id || !invitee.created_at || !invitee.expires_at) throw new HttpError(409);
    const stored = { created_at: invitee.created_at, expires_at: invitee.expires_at };
    await appendEvents(c, [
      {
        type: 'invitation.created',
        organizationId,
        actor: { id: caller.userId, apiKeyId: caller.apiKeyId },
        subjectId: invitationId,
        data: {
          invitation_id: invitationId,
          organization_id: organizationId,
          email,
          user_id: userId,
          role_id: roleIds[0],
          role_ids: roleIds,
          department_ids: input.departmentIds,
          status: 'pending',
          custom_message: customMessage,
          invited_by: caller.userId,
          email_status: emailStatus,
          expires_at: iso(stored.expires_at),
          created_at: iso(stored.created_at),
          accepted_at: null,
          revoked_at: null,
        },
      },
    ]);
    // Its email (when sent) was queued in the events statement (the mail reaction's write).
    return { id: invitationId, email, userId, roleIds, version: 1, grantsOwner, invitee };
  });
}

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });

app.setErrorHandler((error: Error, _request: FastifyRequest, reply: FastifyReply) => {
  const status = error instanceof HttpError ? error.status : 500;
  if (status === 500) process.stderr.write(`${error.stack ?? error.message}\n`);
  void reply.status(status).send({ status });
});

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** The routes (the scenarios' and readiness), kept so bench/bare-nest-server.ts can mount the same handlers behind NestJS. */
export const ROUTES: { method: 'GET' | 'POST'; url: string; handler: Handler }[] = [];

function route(method: 'GET' | 'POST', url: string, handler: Handler): void {
  ROUTES.push({ method, url, handler });
  app.route({ method, url, handler });
}

route('GET', '/health/ready', async () => {
  await pool.query('SELECT 1');
  return { status: 'ok' };
});

route('POST', '/v1/organizations/:organization_id/invite-user', async (request, reply) => {
  const { caller, org } = await authorize(request, 2);
  const body = request.body as { email: string; role_id: string; send_invitation?: boolean };
  const invitation = await createInvitation(org, caller, {
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
    role_id: invitation.roleIds[0],
    user_id: invitation.userId,
    invitation_link: link(invitation.id, invitation.version),
  });
});

route('POST', '/v1/organizations/:organization_id/users/invite/v2', async (request, reply) => {
  const { caller, org } = await authorize(request, 2);
  const body = request.body as {
    email: string;
    full_name?: string | null;
    role_ids?: string[];
    department_ids?: string[];
    send_invitation?: boolean;
    custom_message?: string | null;
  };
  const invitation = await createInvitation(org, caller, {
    email: body.email,
    fullName: body.full_name ?? null,
    roleIds: [...new Set(body.role_ids ?? [])],
    departmentIds: [...new Set(body.department_ids ?? [])],
    send: body.send_invitation ?? true,
    customMessage: body.custom_message ?? null,
  });
  // The member as the invitee CTE returned them; the link when it is to be shared by hand.
  const m = invitation.invitee;
  const shared = !(body.send_invitation ?? true) && maySeeLink(org.rank, invitation.grantsOwner);
  return reply.status(201).send({
    id: m.user_id,
    full_name: m.full_name,
    email: m.email,
    user_name: m.user_name,
    account_state: m.account_state,
    role_ids: m.role_ids,
    department_ids: m.department_ids,
    organization_id: m.organization_id,
    invitation_link: shared ? link(invitation.id, invitation.version) : null,
    invited_at: isoOrNull(m.invited_at),
    deactivated_at: isoOrNull(m.deactivated_at),
  });
});

/** The invitee CTE's row (UsersRepository.upsertPendingInvitee): the member view's columns. */
interface InviteeRow {
  user_id: string;
  membership_id: string | null;
  full_name: string | null;
  email: string;
  user_name: string | null;
  account_state: string;
  role_ids: string[];
  department_ids: string[];
  organization_id: string;
  invited_at: Date | null;
  deactivated_at: Date | null;
}

/** What every invitation read row carries for its link (InvitationReadRepository's LINK_COLUMNS). */
interface LinkFields {
  id: string;
  status: string;
  version: number;
  grants_owner: boolean;
}

const shownLink = (row: LinkFields, rank: number) =>
  row.status === 'pending' && maySeeLink(rank, row.grants_owner) ? link(row.id, row.version) : null;

route('GET', '/v1/organizations/:organization_id/invitation', async (request) => {
  const { org } = await authorize(request, 1);
  const query = request.query as { email?: string; user_id?: string; invitation_id?: string };
  const [column, value] =
    query.email !== undefined
      ? (['email', query.email.trim().toLowerCase()] as const)
      : query.user_id !== undefined
        ? (['user_id', query.user_id] as const)
        : (['id', query.invitation_id ?? ''] as const);
  const rows = await pool.query<
    LinkFields & {
      email: string;
      user_id: string;
      organization_id: string;
      role_ids: string[];
      expires_at: string;
      created_at: string;
    }
  >({ ...SQL.pendingBy(column), values: [org.organizationId, value] });
  const i = rows.rows[0];
  if (!i) throw new HttpError(404);
  return {
    invitation_id: i.id,
    email: i.email,
    user_id: i.user_id,
    organization_id: i.organization_id,
    role_id: i.role_ids[0],
    invitation_link: shownLink(i, org.rank),
    expires_at: i.expires_at,
    created_at: i.created_at,
  };
});

interface InvitationListRow extends LinkFields {
  organization_id: string;
  email: string;
  user_id: string;
  role_ids: string[];
  department_ids: string[];
  custom_message: string | null;
  invited_by: string | null;
  email_status: string;
  expires_at: string;
  created_at: string;
  accepted_at: string | null;
  revoked_at: string | null;
  position_at: string;
}

route('GET', '/v1/organizations/:organization_id/invitations', async (request) => {
  const { org } = await authorize(request, 1);
  const query = request.query as { limit?: string; cursor?: string };
  const limit = query.limit ? Number(query.limit) : 20;
  let rows: pg.QueryResult<InvitationListRow>;
  if (query.cursor) {
    const after = decodeCursor(secret, `invitations:${org.organizationId}`, query.cursor);
    if (!after) throw new Error('cursor_invalid');
    rows = await pool.query<InvitationListRow>({
      ...SQL.LIST_AFTER,
      values: [org.organizationId, limit + 1, after.t, after.i],
    });
  } else {
    rows = await pool.query<InvitationListRow>({
      ...SQL.LIST_FIRST,
      values: [org.organizationId, limit + 1],
    });
  }
  const hasMore = rows.rows.length > limit;
  const items = hasMore ? rows.rows.slice(0, limit) : rows.rows;
  const last = items[items.length - 1];
  return {
    data: items.map((i) => ({
      invitation_id: i.id,
      organization_id: i.organization_id,
      email: i.email,
      user_id: i.user_id,
      role_id: i.role_ids[0],
      role_ids: i.role_ids,
      department_ids: i.department_ids,
      status: i.status,
      invitation_link: shownLink(i, org.rank),
      custom_message: i.custom_message,
      invited_by: i.invited_by,
      email_status: i.email_status,
      expires_at: i.expires_at,
      created_at: i.created_at,
      accepted_at: i.accepted_at,
      revoked_at: i.revoked_at,
    })),
    has_more: hasMore,
    next_cursor:
      hasMore && last
        ? encodeCursor(secret, `invitations:${org.organizationId}`, new Date(last.position_at), last.id)
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

/** An invitation row as INVITATION_COLUMNS selects or returns it (the columns used here). */
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

/** A settled invitation as its event carries it (InvitationResponseDto.from, no link): the grants are recorded. */
function settledInvitationData(i: InvitationRow) {
  return {
    invitation_id: i.id,
    organization_id: i.organization_id,
    email: i.email,
    user_id: i.user_id,
    role_id: i.role_ids[0],
    role_ids: i.role_ids,
    department_ids: i.department_ids,
    status: i.status,
    custom_message: i.custom_message,
    invited_by: i.invited_by,
    email_status: i.email_status,
    expires_at: iso(i.expires_at),
    created_at: iso(i.created_at),
    accepted_at: isoOrNull(i.accepted_at),
    revoked_at: isoOrNull(i.revoked_at),
  };
}

/** InvitationAcceptanceService.accept for an invitation that created its invitee, statement for statement. */
route('POST', '/v1/invitations/accept', async (request) => {
  const body = request.body as { token: string; full_name?: string | null };
  const claims = verifyToken(body.token);
  if (!claims) throw new HttpError(404);
  return transaction(async (c) => {
    const invitation = (
      await c.query<
        InvitationRow & { invitee_activated_at: Date | null; invitee_created_by_invitation_id: string | null }
      >(SQL.LOCK_INVITATION_WITH_INVITEE, [claims.invitationId])
    ).rows[0];
    if (!invitation || invitation.version !== claims.version) throw new HttpError(404);
    if (invitation.status !== 'pending' || invitation.expires_at.getTime() <= Date.now())
      throw new HttpError(409);
    // The bench only accepts invitations whose invitee they created (the proof that needs no code and issues a key).
    if (invitation.invitee_activated_at || invitation.invitee_created_by_invitation_id !== invitation.id)
      throw new HttpError(403);
    const actor = { id: invitation.user_id, apiKeyId: null };
    const apiKey = generateApiKey();
    const keyId = newId('key');
    const prefix = apiKey.slice(0, 10);
    const joined = (
      await c.query<{
        id: string;
        email: string;
        full_name: string | null;
        user_name: string | null;
        email_verified_at: Date | null;
        created_at: Date;
        account_state: string;
        organization_id: string;
        invited_at: Date | null;
        deactivated_at: Date | null;
        role_ids: string[];
        department_ids: string[];
        accepted_role_ids: string[];
        accepted_department_ids: string[];
        accepted_at: Date;
        key_created_at: Date | null;
      }>(SQL.JOIN_BY_INVITATION, [
        invitation.membership_id,
        invitation.organization_id,
        invitation.user_id,
        true,
        body.full_name ?? null,
        false,
        invitation.id,
        keyId,
        invitation.user_id,
        'invitation',
        prefix,
        hashApiKey(apiKey),
        maxApiKeysPerUser,
      ])
    ).rows[0];
    if (!joined) throw new HttpError(410);
    if (!joined.key_created_at) throw new HttpError(409);
    const key = { created_at: joined.key_created_at };
    const accepted: InvitationRow = {
      ...invitation,
      status: 'accepted',
      role_ids: joined.accepted_role_ids,
      department_ids: joined.accepted_department_ids,
      accepted_at: joined.accepted_at,
    };

    // The key's event with the invitation's two, in one statement.
    await appendEvents(c, [
      {
        type: 'api_key.created',
        organizationId: null,
        actor,
        subjectId: keyId,
        data: { id: keyId, name: 'invitation', prefix, created_at: iso(key.created_at), last_used_at: null },
      },
      {
        type: 'invitation.accepted',
        organizationId: invitation.organization_id,
        actor,
        subjectId: invitation.id,
        data: settledInvitationData(accepted),
      },
      {
        type: 'member.joined',
        organizationId: invitation.organization_id,
        actor,
        subjectId: invitation.user_id,
        data: {
          id: joined.id,
          full_name: joined.full_name,
          email: joined.email,
          user_name: joined.user_name,
          account_state: joined.account_state,
          role_ids: joined.role_ids,
          department_ids: joined.department_ids,
          organization_id: joined.organization_id,
          invited_at: isoOrNull(joined.invited_at),
          deactivated_at: isoOrNull(joined.deactivated_at),
          via: 'invitation',
        },
      },
    ]);
    return {
      user: {
        id: joined.id,
        email: joined.email,
        full_name: joined.full_name,
        user_name: joined.user_name,
        email_verified: joined.email_verified_at !== null,
        created_at: iso(joined.created_at),
      },
      organization_id: invitation.organization_id,
      api_key: apiKey,
    };
  });
});

// Imported by bench/bare-nest-server.ts for its routes: it listens only when run itself.
if (import.meta.url === pathToFileURL(process.argv[1]).href) serve(app, 'baseline', 3001);
