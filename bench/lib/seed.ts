import pg from 'pg';
import { encodeCursor, generateApiKey, hashApiKey, newId } from './secrets.js';

/**
 * Bench data, written with set-based SQL (INSERT … SELECT generate_series): a million invitations
 * with their invitees, memberships and roles take about a minute, not hours of API calls.
 */

export interface SeededOrg {
  id: string;
  slug: string;
  memberRoleId: string;
  adminRoleId: string;
}

/** An organization as OrganizationsService.createWithin makes it: three system roles and its Owner. */
export async function createOrganization(
  client: pg.Client,
  name: string,
  slug: string,
  ownerUserId: string,
): Promise<SeededOrg> {
  const id = newId('org');
  const roles = { owner: newId('role'), admin: newId('role'), member: newId('role') };
  await client.query('BEGIN');
  try {
    await client.query('INSERT INTO organizations (id, name, slug) VALUES ($1, $2, $3)', [id, name, slug]);
    await client.query(
      `INSERT INTO roles (id, organization_id, key, name, description, is_system) VALUES
         ($2, $1, 'owner', 'Owner', 'Full control, including granting Owner.', true),
         ($3, $1, 'admin', 'Admin', 'Invites and manages members, roles and departments.', true),
         ($4, $1, 'member', 'Member', 'Reads the organization.', true)`,
      [id, roles.owner, roles.admin, roles.member],
    );
    const membershipId = newId('mem');
    await client.query(
      `INSERT INTO memberships (id, organization_id, user_id, account_state) VALUES ($1, $2, $3, 'active')`,
      [membershipId, id, ownerUserId],
    );
    await client.query('INSERT INTO membership_roles (membership_id, role_id) VALUES ($1, $2)', [
      membershipId,
      roles.owner,
    ]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
  return { id, slug, memberRoleId: roles.member, adminRoleId: roles.admin };
}

/**
 * Organizations that only hold other tenants' invitations, so the bench org is not alone in the
 * tables: each with its three system roles and `ownerUserId` as its Owner, written set-based.
 */
export async function createFillerOrganizations(
  client: pg.Client,
  count: number,
  ownerUserId: string,
  salt: string,
): Promise<string[]> {
  const rows = `SELECT i, substr(md5($1 || i::text), 1, 24) AS h FROM generate_series(1, $2::int) AS i`;
  const roles = (key: string, name: string, description: string, letter: string) =>
    `SELECT 'role_f${letter}' || h, 'org_f' || h, '${key}', '${name}', '${description}', true FROM (${rows}) s`;
  await client.query('BEGIN');
  try {
    const orgs = await client.query<{ id: string }>(
      `INSERT INTO organizations (id, name, slug) SELECT 'org_f' || h, 'Filler ' || i, 'filler-' || $1 || '-' || i FROM (${rows}) s RETURNING id`,
      [salt, count],
    );
    await client.query(
      `INSERT INTO roles (id, organization_id, key, name, description, is_system)
       ${roles('owner', 'Owner', 'Full control, including granting Owner.', 'o')}
       UNION ALL ${roles('admin', 'Admin', 'Invites and manages members, roles and departments.', 'a')}
       UNION ALL ${roles('member', 'Member', 'Reads the organization.', 'm')}`,
      [salt, count],
    );
    await client.query(
      `INSERT INTO memberships (id, organization_id, user_id, account_state) SELECT 'mem_f' || h, 'org_f' || h, $3, 'active' FROM (${rows}) s`,
      [salt, count, ownerUserId],
    );
    await client.query(
      `INSERT INTO membership_roles (membership_id, role_id) SELECT 'mem_f' || h, 'role_fo' || h FROM (${rows}) s`,
      [salt, count],
    );
    await client.query('COMMIT');
    return orgs.rows.map((r) => r.id);
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

/** API keys for `count` of the bulk invitees (so the key table is not tiny); returns nothing: nobody uses them. */
export async function seedBulkApiKeys(client: pg.Client, count: number, salt: string): Promise<void> {
  await client.query(
    `INSERT INTO api_keys (id, user_id, name, prefix, key_hash)
     SELECT 'key_b' || substr(md5('k' || $1 || u.id), 1, 24), u.id, 'bulk', 'oik_bulk', encode(sha256(convert_to(u.id || $1, 'UTF8')), 'hex')
       FROM (SELECT id FROM users WHERE id LIKE 'usr_b%' ORDER BY id LIMIT $2) u`,
    [salt, count],
  );
}

export async function issueApiKey(client: pg.Client, userId: string, name = 'bench'): Promise<string> {
  const key = generateApiKey();
  await client.query(
    'INSERT INTO api_keys (id, user_id, name, prefix, key_hash) VALUES ($1, $2, $3, $4, $5)',
    [newId('key'), userId, name, key.slice(0, 10), hashApiKey(key)],
  );
  return key;
}

/**
 * Row `i` of the bulk data: every other invitation is the read org's, the rest are spread over
 * the filler orgs. Of every 20: 16 pending, 2 accepted, 1 revoked, 1 pending but expired.
 */
const BULK_ROWS = `
  SELECT i,
         CASE WHEN i % 2 = 0 THEN $3::varchar ELSE ($4::varchar[])[1 + (i / 2) % cardinality($4::varchar[])] END AS org_id,
         CASE WHEN i % 20 < 16 THEN 'pending' WHEN i % 20 < 18 THEN 'accepted' WHEN i % 20 = 18 THEN 'revoked' ELSE 'expired' END AS kind,
         md5($5 || i::text) AS h,
         'invitee' || i || '@bench.test' AS email,
         timestamptz '2025-01-01T00:00:00Z' + i * interval '1 second' AS created_at
    FROM generate_series($1::int, $2::int - 1) AS i`;

/** The email of bulk row `i`, which is a pending invitation of the read org when `isReadOrgPending(i)`. */
export const bulkEmail = (i: number) => `invitee${i}@bench.test`;
export const isReadOrgPending = (i: number) => i % 2 === 0 && i % 20 < 16;

export interface BulkTarget {
  readOrgId: string;
  fillerOrgIds: string[];
  salt: string;
}

/**
 * Runs `work` with foreign-key triggers off for this session (session_replication_role = replica),
 * when the role may do that: bulk rows are consistent by construction and the checks would only
 * slow the seeding down. Without the privilege the checks simply run.
 */
export async function withoutForeignKeyChecks<T>(client: pg.Client, work: () => Promise<T>): Promise<T> {
  let switched = false;
  try {
    await client.query('SET session_replication_role = replica');
    switched = true;
  } catch {
    // not a superuser: seed with the checks on
  }
  try {
    return await work();
  } finally {
    if (switched) await client.query('SET session_replication_role = DEFAULT');
  }
}

/** Bulk rows [from, to): invitees, their memberships and roles, and the invitations. */
export async function seedBulkInvitations(
  client: pg.Client,
  from: number,
  to: number,
  target: BulkTarget,
): Promise<void> {
  const params = [from, to, target.readOrgId, target.fillerOrgIds, target.salt];
  await client.query('BEGIN');
  try {
    await client.query(
      `INSERT INTO users (id, email, activated_at, created_at, updated_at)
       SELECT 'usr_b' || substr(h, 1, 24), email, CASE WHEN kind = 'accepted' THEN created_at END, created_at, created_at
         FROM (${BULK_ROWS}) s`,
      params,
    );
    await client.query(
      `INSERT INTO memberships (id, organization_id, user_id, account_state, invited_at, created_at, updated_at)
       SELECT 'mem_b' || substr(h, 1, 24), org_id, 'usr_b' || substr(h, 1, 24),
              CASE WHEN kind = 'accepted' THEN 'active' ELSE 'pending_invitation' END, created_at, created_at, created_at
         FROM (${BULK_ROWS}) s WHERE kind <> 'revoked'`,
      params,
    );
    await client.query(
      `INSERT INTO membership_roles (membership_id, role_id)
       SELECT 'mem_b' || substr(h, 1, 24), r.id
         FROM (${BULK_ROWS}) s JOIN roles r ON r.organization_id = s.org_id AND r.is_system AND r.key = 'member'
        WHERE kind <> 'revoked'`,
      params,
    );
    await client.query(
      `INSERT INTO invitations (id, organization_id, user_id, membership_id, email, role_ids, status, version, invited_by,
                                email_status, expires_at, issued_at, created_at, updated_at, accepted_at, revoked_at)
       SELECT 'inv_b' || substr(h, 1, 24), org_id, 'usr_b' || substr(h, 1, 24),
              CASE WHEN kind <> 'revoked' THEN 'mem_b' || substr(h, 1, 24) END,
              email, ARRAY[r.id], CASE WHEN kind = 'expired' THEN 'pending' ELSE kind END, 1, NULL, 'sent',
              CASE WHEN kind = 'expired' THEN now() - interval '1 day' ELSE now() + interval '7 days' END,
              s.created_at, s.created_at, s.created_at,
              CASE WHEN kind = 'accepted' THEN s.created_at + interval '1 hour' END,
              CASE WHEN kind = 'revoked' THEN s.created_at + interval '1 hour' END
         FROM (${BULK_ROWS}) s JOIN roles r ON r.organization_id = s.org_id AND r.is_system AND r.key = 'member'`,
      params,
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

/**
 * Pending invitations for never-activated invitees in `orgId` (what an invite leaves behind), ready
 * to be accepted: returns their IDs (version 1).
 */
export async function seedAcceptable(
  client: pg.Client,
  org: SeededOrg,
  inviterId: string,
  count: number,
  salt: string,
): Promise<string[]> {
  const rows = `SELECT i, md5($2 || i::text) AS h, 'accept' || i || '-' || $2 || '@bench.test' AS email
                  FROM generate_series(1, $1::int) AS i`;
  await client.query('BEGIN');
  try {
    // Accounts these invitations created (created_by_invitation_id): accepting one needs no emailed code and issues a key.
    await client.query(
      `INSERT INTO users (id, email, created_by_invitation_id) SELECT 'usr_a' || substr(h, 1, 24), email, 'inv_a' || substr(h, 1, 24) FROM (${rows}) s`,
      [count, salt],
    );
    await client.query(
      `INSERT INTO memberships (id, organization_id, user_id, account_state, invited_at)
       SELECT 'mem_a' || substr(h, 1, 24), $3, 'usr_a' || substr(h, 1, 24), 'pending_invitation', now() FROM (${rows}) s`,
      [count, salt, org.id],
    );
    await client.query(
      `INSERT INTO membership_roles (membership_id, role_id) SELECT 'mem_a' || substr(h, 1, 24), $3 FROM (${rows}) s`,
      [count, salt, org.memberRoleId],
    );
    const inserted = await client.query<{ id: string }>(
      `INSERT INTO invitations (id, organization_id, user_id, membership_id, email, role_ids, status, version, invited_by,
                                email_status, expires_at, issued_at)
       SELECT 'inv_a' || substr(h, 1, 24), $3, 'usr_a' || substr(h, 1, 24), 'mem_a' || substr(h, 1, 24), email,
              ARRAY[$4::varchar], 'pending', 1, $5, 'sent', now() + interval '7 days', now()
         FROM (${rows}) s
       RETURNING id`,
      [count, salt, org.id, org.memberRoleId, inviterId],
    );
    await client.query('COMMIT');
    return inserted.rows.map((r) => r.id);
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

/** The cursor a client holds after paging `fraction` of the way through the org's invitations. */
export async function cursorAt(
  client: pg.Client,
  secret: string,
  orgId: string,
  fraction: number,
): Promise<string> {
  const { rows } = await client.query<{ created_at: Date; id: string }>(
    `SELECT created_at, id FROM invitations WHERE organization_id = $1 ORDER BY created_at, id
      OFFSET (SELECT floor(count(*) * $2::float8) FROM invitations WHERE organization_id = $1) LIMIT 1`,
    [orgId, fraction],
  );
  if (!rows[0]) throw new Error(`no invitations in ${orgId}`);
  return encodeCursor(secret, `invitations:${orgId}`, rows[0].created_at, rows[0].id);
}

export async function countInvitations(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM invitations');
  return Number(rows[0].n);
}

/**
 * Fresh statistics, and the seeding's WAL flushed now: otherwise the checkpoint that follows a
 * large seed (the 1M copy's) writes while the write scenarios run, and their commits wait on it.
 */
export async function analyze(client: pg.Client): Promise<void> {
  await client.query('VACUUM ANALYZE');
  await client.query('CHECKPOINT');
}
