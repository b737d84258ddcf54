/**
 * The floor's statements: the fewest round trips that satisfy the contract for each benchmarked
 * request, on the app's schema and indexes (its migrations). Every org-scoped request is the auth
 * query and then ONE statement; each write is a single data-modifying CTE, so it is atomic without
 * BEGIN/COMMIT, and it can be a named prepared statement (the extended protocol takes one statement
 * per Parse, which rules out a multi-statement string). bench/README.md lists them per scenario.
 */

/** What an invitation grants while it is pending (its pending membership) or after (its own columns), as in src/invitations/invitation-grants-sql.ts. */
const live = (i: string) =>
  `${i}.status = 'pending' AND (SELECT gm.account_state FROM memberships gm WHERE gm.id = ${i}.membership_id) = 'pending_invitation'`;
const grantedRoles = (i: string) =>
  `CASE WHEN ${live(i)} THEN ARRAY(SELECT gr.role_id FROM membership_roles gr WHERE gr.membership_id = ${i}.membership_id
     ORDER BY array_position(${i}.role_ids, gr.role_id) NULLS LAST, gr.role_id) ELSE ${i}.role_ids END`;
const grantedDepartments = (i: string) =>
  `CASE WHEN ${live(i)} THEN ARRAY(SELECT gd.department_id FROM membership_departments gd WHERE gd.membership_id = ${i}.membership_id
     ORDER BY array_position(${i}.department_ids, gd.department_id) NULLS LAST, gd.department_id) ELSE ${i}.department_ids END`;
/** The SET clauses that record the grants when an invitation leaves `pending`. */
const RECORD_GRANTS = `role_ids = ${grantedRoles('i')}, department_ids = ${grantedDepartments('i')}`;

/** Whether a viewer of rank `rank` sees the link of an invitation granting `roles` (src/invitations/link-visibility.ts). */
const linkVisible = (rank: string, roles: string, org: string) =>
  `(${rank} >= 3 OR (${rank} = 2 AND NOT EXISTS (SELECT 1 FROM roles ro WHERE ro.organization_id = ${org}
     AND ro.is_system AND ro.key = 'owner' AND ro.id = ANY(${roles}))))`;

const utc = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

/**
 * The caller by key hash and their highest system role in the path's organization, if they are
 * an active member of it: one query over api_keys, memberships and roles (the membership's few
 * role rows are read by primary key; no lateral aggregation).
 */
const auth = (membershipJoin: string) => `SELECT k.id AS key_id, k.user_id,
       (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute') AS touch_due,
       m.organization_id,
       (SELECT COALESCE(max(CASE r.key WHEN 'owner' THEN 3 WHEN 'admin' THEN 2 ELSE 1 END), 1)
          FROM membership_roles mr JOIN roles r ON r.id = mr.role_id AND r.is_system
         WHERE mr.membership_id = m.id) AS rank
  FROM api_keys k
  ${membershipJoin}
 WHERE k.key_hash = $2 AND k.revoked_at IS NULL`;

export const AUTH_BY_ID = {
  name: 'floor_auth_by_id',
  text: auth(
    `LEFT JOIN memberships m ON m.organization_id = $1 AND m.user_id = k.user_id AND m.account_state = 'active'`,
  ),
};
export const AUTH_BY_SLUG = {
  name: 'floor_auth_by_slug',
  text: auth(`LEFT JOIN organizations o ON o.slug = $1
  LEFT JOIN memberships m ON m.organization_id = o.id AND m.user_id = k.user_id AND m.account_state = 'active'`),
};

/** last_used_at, at most once a minute per key (as the app does). */
export const TOUCH_API_KEY = {
  name: 'floor_touch_api_key',
  text: `UPDATE api_keys SET last_used_at = now()
          WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
};

/** Seed 003: the pending invitation by email ($1 org, $2 email, $3 viewer rank), one indexed select. */
export const PENDING_BY_EMAIL = {
  name: 'floor_pending_by_email',
  text: `SELECT i.id, i.email, i.user_id, i.organization_id, i.version, i.expires_at, i.created_at, g.roles[1] AS role_id,
       ${linkVisible('$3::int', 'g.roles', 'i.organization_id')} AS link_visible
  FROM invitations i
  CROSS JOIN LATERAL (SELECT ${grantedRoles('i')} AS roles) g
 WHERE i.organization_id = $1 AND i.email = $2 AND i.status = 'pending' AND i.expires_at > now()`,
};

const listColumns = `i.id, i.organization_id, i.email, i.user_id, i.status, i.version, i.custom_message, i.invited_by,
       i.email_status, i.expires_at, i.created_at, i.accepted_at, i.revoked_at, g.roles AS role_ids, g.departments AS department_ids,
       ${linkVisible('$2::int', 'g.roles', 'i.organization_id')} AS link_visible`;
const grants = `CROSS JOIN LATERAL (SELECT ${grantedRoles('i')} AS roles, ${grantedDepartments('i')} AS departments) g`;

/** A page of invitations ($1 org, $2 viewer rank, $3 limit + 1), keyset order. */
export const LIST_FIRST = {
  name: 'floor_list_first',
  text: `SELECT ${listColumns} FROM invitations i ${grants}
 WHERE i.organization_id = $1 ORDER BY i.created_at, i.id LIMIT $3`,
};
/** The page after ($4 created_at, $5 id). */
export const LIST_AFTER = {
  name: 'floor_list_after',
  text: `SELECT ${listColumns} FROM invitations i ${grants}
 WHERE i.organization_id = $1 AND (i.created_at, i.id) > ($4::timestamptz, $5::varchar) ORDER BY i.created_at, i.id LIMIT $3`,
};

/**
 * Every write of an invite in one statement: the checks (invite policy, roles and departments of
 * this org locked FOR KEY SHARE, only an Owner grants Owner), the settling of an expired pending
 * invitation for this email, the invitee upsert, the pending membership upsert, the invitation, its
 * role and department rows, its outbox row and its `invitation.created` event. Each insert reads
 * the row before it (or `go`), so when a check fails nothing is written, and the statement as a
 * whole is atomic. `inv` reads `settled`, which makes the settling run before the insert that the
 * partial unique index (uq_invitations_pending_email) checks.
 *
 * $1 org, $2 email, $3 role ids (empty: Member), $4 department ids, $5 email domain, $6 caller rank,
 * $7 new user id, $8 full name, $9 invitation id, $10 new membership id, $11 custom message,
 * $12 inviter, $13 email_status, $14 TTL days, $15 send, $16 message id, $17 event id, $18 caller's key id.
 */
export const INVITE = {
  name: 'floor_invite',
  text: `WITH want AS (
  SELECT CASE WHEN cardinality($3::varchar[]) = 0
              THEN ARRAY(SELECT id FROM roles WHERE organization_id = $1 AND is_system AND key = 'member')::varchar[]
              ELSE $3::varchar[] END AS role_ids),
r AS (SELECT id, (is_system AND key = 'owner') AS is_owner FROM roles
       WHERE organization_id = $1 AND id = ANY((SELECT role_ids FROM want)::varchar[]) FOR KEY SHARE),
d AS (SELECT id FROM departments WHERE organization_id = $1 AND id = ANY($4::varchar[]) FOR KEY SHARE),
chk AS (
  SELECT COALESCE((SELECT o.invite_policy = 'any' OR EXISTS (
                     SELECT 1 FROM organization_domains od
                      WHERE od.organization_id = o.id AND od.domain = $5::varchar AND od.status = 'verified')
                     FROM organizations o WHERE o.id = $1), false) AS policy_ok,
         (SELECT count(*) FROM r) = cardinality((SELECT role_ids FROM want)) AND cardinality((SELECT role_ids FROM want)) > 0 AS roles_ok,
         (SELECT count(*) FROM d) = cardinality($4::varchar[]) AS departments_ok,
         ($6::int >= 3 OR NOT EXISTS (SELECT 1 FROM r WHERE r.is_owner)) AS owner_ok),
go AS (SELECT policy_ok AND roles_ok AND departments_ok AND owner_ok AS ok FROM chk),
settled AS (
  UPDATE invitations AS i SET status = 'expired', updated_at = now(), ${RECORD_GRANTS}
   WHERE i.organization_id = $1 AND i.email = $2::varchar AND i.status = 'pending' AND i.expires_at <= now() AND (SELECT ok FROM go)
  RETURNING i.id),
new_user AS (
  INSERT INTO users (id, email, full_name, created_by_invitation_id)
  SELECT $7::varchar, $2::varchar, $8::varchar, $9::varchar WHERE (SELECT ok FROM go)
  ON CONFLICT (email) DO NOTHING
  RETURNING id, full_name, user_name),
usr AS (
  SELECT id, full_name, user_name FROM new_user
  UNION ALL
  SELECT id, full_name, user_name FROM users WHERE email = $2::varchar AND (SELECT ok FROM go)
  LIMIT 1),
mem AS (
  INSERT INTO memberships (id, organization_id, user_id, account_state, invited_at)
  SELECT $10::varchar, $1, usr.id, 'pending_invitation', now() FROM usr
  ON CONFLICT (organization_id, user_id) DO UPDATE SET invited_at = now(), updated_at = now()
   WHERE memberships.account_state = 'pending_invitation'
  RETURNING id, user_id, invited_at, deactivated_at),
inv AS (
  INSERT INTO invitations (id, organization_id, user_id, membership_id, email, full_name, role_ids, department_ids,
                           status, version, custom_message, invited_by, email_status, issued_at, expires_at)
  SELECT $9::varchar, $1, mem.user_id, mem.id, $2::varchar, $8::varchar, (SELECT role_ids FROM want), $4::varchar[], 'pending', 1,
         $11::varchar, $12::varchar, $13::varchar, now(), now() + make_interval(days => $14::int)
    FROM mem WHERE (SELECT count(*) FROM settled) >= 0
  RETURNING id, organization_id, user_id, membership_id, email, role_ids, department_ids, status, version,
            custom_message, invited_by, email_status, expires_at, created_at),
drop_roles AS (
  DELETE FROM membership_roles WHERE membership_id = (SELECT id FROM mem) AND role_id <> ALL((SELECT role_ids FROM want)::varchar[])),
add_roles AS (
  INSERT INTO membership_roles (membership_id, role_id) SELECT inv.membership_id, unnest(inv.role_ids) FROM inv ON CONFLICT DO NOTHING),
drop_departments AS (
  DELETE FROM membership_departments WHERE membership_id = (SELECT id FROM mem) AND department_id <> ALL($4::varchar[])),
add_departments AS (
  INSERT INTO membership_departments (membership_id, department_id)
  SELECT inv.membership_id, unnest(inv.department_ids) FROM inv ON CONFLICT DO NOTHING),
mail AS (
  INSERT INTO email_outbox (invitation_id, invitation_version, message_id) SELECT inv.id, 1, $16::varchar FROM inv WHERE $15::boolean),
evt AS (
  INSERT INTO events (id, organization_id, type, actor_type, actor_id, actor_api_key_id, subject_type, subject_id, data)
  SELECT $17::varchar, inv.organization_id, 'invitation.created', 'user', $12::varchar, $18::varchar, 'invitation', inv.id,
         jsonb_build_object('invitation_id', inv.id, 'organization_id', inv.organization_id, 'email', inv.email,
           'user_id', inv.user_id, 'role_id', inv.role_ids[1], 'role_ids', inv.role_ids, 'department_ids', inv.department_ids,
           'status', inv.status, 'custom_message', inv.custom_message, 'invited_by', inv.invited_by,
           'email_status', inv.email_status, 'expires_at', ${utc('inv.expires_at')}, 'created_at', ${utc('inv.created_at')},
           'accepted_at', NULL::text, 'revoked_at', NULL::text)
    FROM inv)
SELECT chk.policy_ok, chk.roles_ok, chk.departments_ok, chk.owner_ok,
       usr.id AS user_id, usr.full_name, usr.user_name, mem.id AS membership_id, mem.invited_at, mem.deactivated_at,
       inv.id AS invitation_id, inv.role_ids, inv.department_ids, inv.version, inv.email_status,
       ${linkVisible('$6::int', 'inv.role_ids', '$1')} AS link_visible
  FROM chk LEFT JOIN usr ON true LEFT JOIN mem ON true LEFT JOIN inv ON true`,
};

/** After a unique violation on uq_invitations_pending_email: the winner's id for the 409 (error path only). */
export const PENDING_ID = {
  name: 'floor_pending_id',
  text: `SELECT id FROM invitations WHERE organization_id = $1 AND email = $2 AND status = 'pending'`,
};

/**
 * Accept (an invitee whose account this invitation created, the path that issues a key), in one
 * statement: the invitee and the seat locked first (FOR UPDATE, so nobody activates them between
 * the checks and the writes of this statement), the invitation settled by a conditional update
 * (of 20 concurrent accepts, one matches `status = 'pending'`), the account activated, its key,
 * the membership activated, queued mail superseded, and the events the app appends for it:
 * `api_key.created` (of no organization, as every key event), `invitation.accepted`, `member.joined`.
 * $1 invitation id, $2 version, $3 full name, $4 key id, $5 key prefix, $6 key hash, $7, $8 and $9 event ids.
 */
export const ACCEPT = {
  name: 'floor_accept',
  text: `WITH invitee AS (
  SELECT u.id FROM users u JOIN invitations i0 ON i0.user_id = u.id
   WHERE i0.id = $1 AND u.activated_at IS NULL AND u.created_by_invitation_id = i0.id FOR UPDATE OF u),
seat AS (
  SELECT m.id FROM memberships m JOIN invitations i1 ON i1.membership_id = m.id AND i1.organization_id = m.organization_id
   WHERE i1.id = $1 AND m.account_state = 'pending_invitation' FOR UPDATE OF m),
inv AS (
  UPDATE invitations AS i SET status = 'accepted', accepted_at = now(), updated_at = now(), ${RECORD_GRANTS}
   WHERE i.id = $1 AND i.version = $2::int AND i.status = 'pending' AND i.expires_at > now()
     AND i.user_id = (SELECT id FROM invitee) AND i.membership_id = (SELECT id FROM seat)
  RETURNING i.id, i.organization_id, i.user_id, i.membership_id, i.email, i.role_ids, i.department_ids, i.version,
            i.custom_message, i.invited_by, i.email_status, i.expires_at, i.created_at, i.accepted_at),
usr AS (
  UPDATE users SET activated_at = now(), full_name = COALESCE($3::varchar, full_name), updated_at = now()
   WHERE id = (SELECT user_id FROM inv)
  RETURNING id, email, full_name, user_name, email_verified_at, created_at),
key AS (
  INSERT INTO api_keys (id, user_id, name, prefix, key_hash) SELECT $4::varchar, inv.user_id, 'invitation', $5::varchar, $6::varchar FROM inv
  RETURNING id, name, prefix, created_at),
mem AS (
  UPDATE memberships SET account_state = 'active', updated_at = now() WHERE id = (SELECT membership_id FROM inv)
  RETURNING id, invited_at),
mail AS (
  UPDATE email_outbox SET status = 'superseded' WHERE invitation_id = (SELECT id FROM inv) AND status = 'queued'),
evt AS (
  INSERT INTO events (id, organization_id, type, actor_type, actor_id, actor_api_key_id, subject_type, subject_id, data)
  SELECT e.id, e.organization_id, e.type, 'user', inv.user_id, NULL, e.subject_type, e.subject_id, e.data
    FROM inv CROSS JOIN key CROSS JOIN LATERAL (VALUES
      ($9::varchar, NULL::varchar, 'api_key.created', 'api_key', key.id,
       jsonb_build_object('id', key.id, 'name', key.name, 'prefix', key.prefix, 'created_at', ${utc('key.created_at')},
         'last_used_at', NULL::text)),
      ($7::varchar, inv.organization_id, 'invitation.accepted', 'invitation', inv.id,
       jsonb_build_object('invitation_id', inv.id, 'organization_id', inv.organization_id, 'email', inv.email,
         'user_id', inv.user_id, 'role_id', inv.role_ids[1], 'role_ids', inv.role_ids, 'department_ids', inv.department_ids,
         'status', 'accepted', 'custom_message', inv.custom_message, 'invited_by', inv.invited_by,
         'email_status', inv.email_status, 'expires_at', ${utc('inv.expires_at')}, 'created_at', ${utc('inv.created_at')},
         'accepted_at', ${utc('inv.accepted_at')}, 'revoked_at', NULL::text)),
      ($8::varchar, inv.organization_id, 'member.joined', 'member', inv.user_id,
       jsonb_build_object('id', inv.user_id, 'email', inv.email, 'organization_id', inv.organization_id,
         'account_state', 'active', 'role_ids', inv.role_ids, 'department_ids', inv.department_ids, 'via', 'invitation'))
    ) AS e(id, organization_id, type, subject_type, subject_id, data))
SELECT inv.organization_id, usr.id, usr.email, usr.full_name, usr.user_name, usr.email_verified_at, usr.created_at
  FROM inv JOIN usr ON true`,
};

/** Why an accept matched nothing (error path only): the contract's 404 / 409 / 410 / 403. */
export const ACCEPT_REFUSAL = {
  name: 'floor_accept_refusal',
  text: `SELECT i.version, i.status, i.expires_at > now() AS live, u.activated_at IS NULL AND u.created_by_invitation_id = i.id AS created,
       m.account_state
  FROM invitations i JOIN users u ON u.id = i.user_id LEFT JOIN memberships m ON m.id = i.membership_id
 WHERE i.id = $1`,
};

/** The statements per scenario, for the report (the auth query is counted in). */
export const FLOOR_STATEMENTS: Record<string, number> = {
  get_by_email: 2,
  list_first: 2,
  list_deep: 2,
  invite_v1: 2,
  invite_v2: 2,
  accept: 1,
};
