/**
 * The statements the app sends for the benchmarked requests, copied verbatim (the hand-written ones
 * from src/common/auth/access.repository.ts, src/invitations/*.ts and src/users/member-views.ts; the
 * TypeORM-generated ones as PostgreSQL receives them). The bench compares both servers'
 * pg_stat_statements, so a change on either side shows up as a "SQL parity" failure, not as a
 * silently unfair ratio.
 */

// The AuthGuard's read on org-scoped routes (src/common/auth/access.repository.ts callerInOrg, API
// key), sent like the app sends it: a named prepared statement.
const membershipJoin = {
  id: `LEFT JOIN memberships m ON m.organization_id = $1 AND m.user_id = u.id AND m.account_state = 'active'`,
  slug: `LEFT JOIN organizations o ON o.slug = $1
         LEFT JOIN memberships m ON m.organization_id = o.id AND m.user_id = u.id AND m.account_state = 'active'`,
};
export const callerInOrg = (org: 'id' | 'slug') => ({
  name: `auth_caller_in_org_by_${org}_key`,
  text: `SELECT k.id AS key_id, u.id AS user_id, u.email, u.email_verified_at IS NOT NULL AS email_verified, (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute') AS touch_due, m.organization_id, m.id AS membership_id,
       CASE WHEN m.id IS NOT NULL THEN
         (SELECT COALESCE(max(CASE r.key WHEN 'owner' THEN 3 WHEN 'admin' THEN 2 WHEN 'member' THEN 1 ELSE 1 END), 1)
            FROM membership_roles mr JOIN roles r ON r.id = mr.role_id AND r.is_system
           WHERE mr.membership_id = m.id) END AS rank
  FROM api_keys k JOIN users u ON u.id = k.user_id
  ${membershipJoin[org]}
 WHERE k.key_hash = $2 AND k.revoked_at IS NULL`,
});
const CALLER_IN_ORG = { id: callerInOrg('id'), slug: callerInOrg('slug') };
export const callerInOrgFor = (org: 'id' | 'slug') => CALLER_IN_ORG[org];

// The key's last_used_at, written when the read above says it is due (src/common/auth/api-key-activity.ts).
export const TOUCH_API_KEY = `UPDATE api_keys SET last_used_at = now()
          WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`;

// What an invitation grants (src/invitations/invitation-grants-sql.ts), the Invitation entity's virtual columns.
const livePending = (i: string) =>
  `${i}.status = 'pending'
     AND (SELECT gm.account_state FROM memberships gm WHERE gm.id = ${i}.membership_id) = 'pending_invitation'`;
const grantedRoleIdsSql = (i: string) => `CASE WHEN ${livePending(i)}
     THEN ARRAY(SELECT gr.role_id FROM membership_roles gr WHERE gr.membership_id = ${i}.membership_id
                 ORDER BY array_position(${i}.role_ids, gr.role_id) NULLS LAST, gr.role_id)
     ELSE ${i}.role_ids END`;
const grantedDepartmentIdsSql = (i: string) => `CASE WHEN ${livePending(i)}
     THEN ARRAY(SELECT gd.department_id FROM membership_departments gd WHERE gd.membership_id = ${i}.membership_id
                 ORDER BY array_position(${i}.department_ids, gd.department_id) NULLS LAST, gd.department_id)
     ELSE ${i}.department_ids END`;
const grantsOwnerSql = (
  i: string,
) => `EXISTS (SELECT 1 FROM roles go WHERE go.organization_id = ${i}.organization_id
     AND go.is_system AND go.key = 'owner' AND go.id = ANY(${grantedRoleIdsSql(i)}))`;
const RECORD_GRANTS = `role_ids = ${grantedRoleIdsSql('i')}, department_ids = ${grantedDepartmentIdsSql('i')}`;

export const START_TRANSACTION = 'START TRANSACTION';
export const COMMIT = 'COMMIT';
export const ROLLBACK = 'ROLLBACK';

// Create (src/invitations/invitation-create.service.ts, invitation-grants.ts, invitation-outbox.ts, users/organization-refs.ts)
// src/domains/invite-policy.ts, called first by createWithin.
export const INVITE_POLICY = `SELECT o.invite_policy = 'any' OR EXISTS (
              SELECT 1 FROM organization_domains d
               WHERE d.organization_id = o.id AND d.domain = $2 AND d.status = 'verified') AS allowed
       FROM organizations o WHERE o.id = $1`;
export const MEMBER_ROLE_ID = `SELECT id FROM roles WHERE organization_id = $1 AND is_system AND key = 'member' FOR KEY SHARE`;
export const ORG_ROLES = `SELECT id, (is_system AND key = 'owner') AS is_owner FROM roles
      WHERE organization_id = $1 AND id = ANY($2::varchar[]) FOR KEY SHARE`;
export const ORG_DEPARTMENTS =
  'SELECT id FROM departments WHERE organization_id = $1 AND id = ANY($2::varchar[]) FOR KEY SHARE';
export const SETTLE_EXPIRED = `UPDATE invitations AS i SET status = 'expired', updated_at = now(), ${RECORD_GRANTS}
        WHERE i.organization_id = $1 AND i.email = $2 AND i.status = 'pending' AND i.expires_at <= now()`;
export const INSERT_INVITEE = `INSERT INTO users (id, email, full_name, created_by_invitation_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (email) DO NOTHING RETURNING id`;
export const USER_BY_EMAIL = 'SELECT id FROM users WHERE email = $1';
export const UPSERT_PENDING_MEMBERSHIP = `INSERT INTO memberships (id, organization_id, user_id, account_state, invited_at)
       VALUES ($1, $2, $3, 'pending_invitation', now())
       ON CONFLICT (organization_id, user_id) DO UPDATE SET invited_at = now(), updated_at = now()
        WHERE memberships.account_state = 'pending_invitation'
       RETURNING id`;
export const INSERT_INVITATION = `INSERT INTO invitations (id, organization_id, user_id, membership_id, email, full_name, role_ids, department_ids,
                                status, version, custom_message, invited_by, email_status, issued_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 1, $9, $10, $11, now(), now() + make_interval(days => $12))`;
// src/users/membership-assignments.ts replaceAssignments: only the difference is written.
export const DELETE_OTHER_ROLES =
  'DELETE FROM membership_roles WHERE membership_id = $1 AND role_id <> ALL($2::varchar[])';
export const ADD_ROLES =
  'INSERT INTO membership_roles (membership_id, role_id) SELECT $1, unnest($2::varchar[]) ON CONFLICT DO NOTHING';
export const DELETE_OTHER_DEPARTMENTS =
  'DELETE FROM membership_departments WHERE membership_id = $1 AND department_id <> ALL($2::varchar[])';
export const ADD_DEPARTMENTS =
  'INSERT INTO membership_departments (membership_id, department_id) SELECT $1, unnest($2::varchar[]) ON CONFLICT DO NOTHING';
export const TOUCH_MEMBERSHIP = 'UPDATE memberships SET updated_at = now() WHERE id = $1';
export const SUPERSEDE_OUTBOX = `UPDATE email_outbox SET status = 'superseded'
        WHERE invitation_id = $1 AND status = 'queued' AND invitation_version < $2`;
export const QUEUE_OUTBOX = `INSERT INTO email_outbox (invitation_id, invitation_version, message_id) VALUES ($1, $2, $3)
       ON CONFLICT (invitation_id, invitation_version) DO NOTHING`;

/** The columns TypeORM selects for an Invitation entity under `alias`. */
function invitationColumns(alias: string): string {
  const column = (c: string) => `"${alias}"."${c}" AS "${alias}_${c}"`;
  const before = [
    'id',
    'organization_id',
    'user_id',
    'membership_id',
    'email',
    'full_name',
    'role_ids',
    'department_ids',
  ];
  const after = [
    'status',
    'version',
    'custom_message',
    'invited_by',
    'email_status',
    'email_last_error',
    'expires_at',
    'issued_at',
    'created_at',
    'updated_at',
    'accepted_at',
    'declined_at',
    'revoked_at',
  ];
  const q = `"${alias}"`;
  const virtual = [
    `(${grantedRoleIdsSql(q)}) AS "${alias}_granted_role_ids"`,
    `(${grantedDepartmentIdsSql(q)}) AS "${alias}_granted_department_ids"`,
    `(${grantsOwnerSql(q)}) AS "${alias}_grants_owner"`,
  ];
  return [...before.map(column), ...virtual, ...after.map(column)].join(', ');
}

/** `manager.findOneByOrFail(Invitation, { id })` */
export const INVITATION_BY_ID = `SELECT ${invitationColumns('Invitation')} FROM "invitations" "Invitation" WHERE (("Invitation"."id" = $1)) LIMIT 1`;

// Member view (src/users/member-views.ts)
export const MEMBER_VIEW = `SELECT u.id AS user_id, u.full_name, u.email, u.user_name, m.account_state, m.organization_id,
              m.invited_at, m.deactivated_at,
              COALESCE((SELECT array_agg(mr.role_id ORDER BY mr.role_id) FROM membership_roles mr WHERE mr.membership_id = m.id), '{}') AS role_ids,
              COALESCE((SELECT array_agg(md.department_id ORDER BY md.department_id) FROM membership_departments md WHERE md.membership_id = m.id), '{}') AS department_ids,
              i.id AS link_invitation_id, i.version AS link_invitation_version, ${grantsOwnerSql('i')} AS link_grants_owner
         FROM memberships m
         JOIN users u ON u.id = m.user_id
         LEFT JOIN invitations i ON i.organization_id = m.organization_id AND i.user_id = m.user_id
              AND i.status = 'pending' AND i.email_status = 'not_requested' AND i.expires_at > now()
        WHERE m.organization_id = $1 AND m.user_id = ANY($2)`;

// Reads (src/invitations/invitation-queries.service.ts, through TypeORM's query builder)
export const pendingBy = (column: 'email' | 'user_id' | 'id') =>
  `SELECT ${invitationColumns('i')} FROM "invitations" "i" WHERE "i"."organization_id" = $1 AND "i"."${column}" = $2 AND ("i"."status" = 'pending' AND "i"."expires_at" > now())`;

export const listPage = (limit: number) =>
  `SELECT ${invitationColumns('i')} FROM "invitations" "i" WHERE "i"."organization_id" = $1 ORDER BY "i"."created_at" ASC, "i"."id" ASC LIMIT ${limit}`;

export const listPageAfter = (limit: number) =>
  `SELECT ${invitationColumns('i')} FROM "invitations" "i" WHERE "i"."organization_id" = $1 AND ("i"."created_at", "i"."id") > ($2, $3) ORDER BY "i"."created_at" ASC, "i"."id" ASC LIMIT ${limit}`;

// Accept (src/invitations/invitation-acceptance.service.ts, invitation-transitions.ts, src/api-keys/api-keys.service.ts)
export const LOCK_INVITATION = `${INVITATION_BY_ID} FOR UPDATE`;
export const LOCK_INVITEE = `SELECT id, email, full_name, user_name, created_at, activated_at, email_verified_at, created_by_invitation_id
         FROM users WHERE id = $1 FOR UPDATE`;
export const ACTIVATE_USER = `UPDATE users SET activated_at = COALESCE(activated_at, now()), full_name = COALESCE($2, full_name),
                updated_at = now() WHERE id = $1`;
// ApiKeysService.issueWithin: key issues for one user serialised, the per-user cap counted.
export const LOCK_KEY_OWNER = 'SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE';
export const COUNT_LIVE_KEYS =
  'SELECT count(*)::int AS n FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL';
export const INSERT_API_KEY =
  'INSERT INTO api_keys (id, user_id, name, prefix, key_hash) VALUES ($1, $2, $3, $4, $5) RETURNING created_at';
export const ACTIVATE_MEMBERSHIP = `UPDATE memberships SET account_state = 'active', updated_at = now()
        WHERE id = $1 AND organization_id = $2 AND account_state = 'pending_invitation'
        RETURNING id`;
export const MARK_ACCEPTED = `UPDATE invitations AS i SET status = 'accepted', accepted_at = now(), updated_at = now(), ${RECORD_GRANTS}
        WHERE i.id = $1`;
