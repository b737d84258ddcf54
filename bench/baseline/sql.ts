/**
 * The statements the app sends for the benchmarked requests, copied verbatim from the app's source
 * (src/common/auth/access.repository.ts, src/invitations/invitation-read.repository.ts,
 * invitation.repository.ts, invitation-grants-sql.ts, invitation-status.ts, src/users/users.repository.ts,
 * memberships.repository.ts, member-views.ts, src/api-keys/api-keys.repository.ts,
 * src/events/event-log.ts, src/webhooks/webhook-scheduler.ts, src/outbox/outbox.repository.ts,
 * src/domains/invite-policy.ts), built the way the app builds them. The bench compares both
 * servers' pg_stat_statements, so a change on either side shows up as a "SQL parity" failure, not
 * as a silently unfair ratio. Named prepared statements (`{ name, text }`) where the app sends its
 * statement through `poolQuery`; plain text where it goes through TypeORM's `manager.query`; named where it runs a prepared
 * statement in its transaction (`Db.prepared`, `preparedQuery`).
 */

import { messageIdHost } from '../lib/server-env.js';

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

// The key's last_used_at, written when the read above says it is due (src/api-keys/api-keys.repository.ts touchLastUsed).
export const TOUCH_API_KEY = `UPDATE api_keys SET last_used_at = now()
          WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`;

// What an invitation grants (src/invitations/invitation-grants-sql.ts).
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
const ownerAmongSql = (
  i: string,
  roleIds: string,
) => `EXISTS (SELECT 1 FROM roles go WHERE go.organization_id = ${i}.organization_id
     AND go.is_system AND go.key = 'owner' AND go.id = ANY(${roleIds}))`;
const grantsOwnerSql = (i: string) => ownerAmongSql(i, grantedRoleIdsSql(i));
const RECORD_GRANTS = `role_ids = ${grantedRoleIdsSql('i')}, department_ids = ${grantedDepartmentIdsSql('i')}`;

// src/invitations/invitation-status.ts
const effectiveStatusSql = (alias: string) =>
  `CASE WHEN ${alias}.status = 'pending' AND ${alias}.expires_at <= now() THEN 'expired' ELSE ${alias}.status END`;
const PENDING_CONDITION = `(i.status = 'pending' AND i.expires_at > now())`;

export const START_TRANSACTION = 'START TRANSACTION';
export const COMMIT = 'COMMIT';
export const ROLLBACK = 'ROLLBACK';

// ---- Reads (src/invitations/invitation-read.repository.ts): named prepared statements on the pool ----

const isoSql = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
const isoMsSql = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const GRANTS = `CROSS JOIN LATERAL (SELECT ${grantedRoleIdsSql('i')} AS role_ids,
                                            ${grantedDepartmentIdsSql('i')} AS department_ids OFFSET 0) g`;
const LINK_COLUMNS = `${effectiveStatusSql('i')} AS status, i.version, ${ownerAmongSql('i', 'g.role_ids')} AS grants_owner`;
const RESOURCE_COLUMNS = `i.id, i.organization_id, i.email, i.user_id, array_to_json(g.role_ids) AS role_ids,
       array_to_json(g.department_ids) AS department_ids, ${LINK_COLUMNS}, i.custom_message, i.invited_by,
       i.email_status, ${isoSql('i.expires_at')} AS expires_at, ${isoSql('i.created_at')} AS created_at,
       ${isoSql('i.accepted_at')} AS accepted_at, ${isoSql('i.revoked_at')} AS revoked_at`;

type PendingKeyColumn = 'email' | 'user_id' | 'id';
const PENDING_BY = Object.fromEntries(
  (['email', 'user_id', 'id'] as const).map((column) => [
    column,
    {
      name: `invitations_pending_by_${column}`,
      text: `SELECT i.id, i.email, i.user_id, i.organization_id, array_to_json(g.role_ids) AS role_ids, ${LINK_COLUMNS},
       ${isoSql('i.expires_at')} AS expires_at, ${isoSql('i.created_at')} AS created_at
  FROM invitations i
  CROSS JOIN LATERAL (SELECT ${grantedRoleIdsSql('i')} AS role_ids OFFSET 0) g
 WHERE i.organization_id = $1 AND i.${column} = $2 AND ${PENDING_CONDITION}`,
    },
  ]),
) as Record<PendingKeyColumn, { name: string; text: string }>;
/** `InvitationReadRepository.pending`: $1 organization, $2 the value. */
export const pendingBy = (column: PendingKeyColumn) => PENDING_BY[column];

/** `InvitationReadRepository.page` without filters: $1 organization, $2 rows, then $3/$4 the position. */
const listStatement = (after: boolean) => ({
  name: `invitations_list_any_all_${after ? 'after' : 'first'}`,
  text: `SELECT ${RESOURCE_COLUMNS}, ${isoMsSql('i.created_at')} AS position_at
  FROM invitations i ${GRANTS}
 WHERE ${['i.organization_id = $1', ...(after ? ['(i.created_at, i.id) > ($3::timestamptz, $4::varchar)'] : [])].join(' AND ')}
 ORDER BY i.created_at, i.id
 LIMIT $2`,
});
export const LIST_FIRST = listStatement(false);
export const LIST_AFTER = listStatement(true);

// ---- The v1/v2 invite (src/invitations/invitation-create.service.ts createWithin), through TypeORM ----

/** `InvitationRepository.settleExpiredAndReadRefs` (with src/domains/invite-policy.ts invitePolicyAllowsSql). */
export const PRECONDITIONS = {
  name: 'invitations_create_preconditions',
  text: `WITH settled AS (
           UPDATE invitations AS i SET status = 'expired', updated_at = now(), ${RECORD_GRANTS}
            WHERE i.organization_id = $1 AND i.email = $2 AND i.status = 'pending' AND i.expires_at <= now()),
         r AS (
           SELECT id, (is_system AND key = 'owner') AS is_owner FROM roles
            WHERE organization_id = $1
              AND (id = ANY($4::varchar[]) OR (cardinality($4::varchar[]) = 0 AND is_system AND key = 'member'))
              FOR KEY SHARE),
         d AS (
           SELECT id FROM departments WHERE organization_id = $1 AND id = ANY($5::varchar[]) FOR KEY SHARE)
         SELECT (SELECT o.invite_policy = 'any' OR EXISTS (
              SELECT 1 FROM organization_domains d
               WHERE d.organization_id = o.id AND d.domain = $3 AND d.status = 'verified')
       FROM organizations o WHERE o.id = $1) AS policy_allows,
                COALESCE((SELECT json_agg(json_build_object('id', r.id, 'is_owner', r.is_owner)) FROM r), '[]') AS roles,
                ARRAY(SELECT d.id FROM d) AS department_ids`,
};

/**
 * `UsersRepository.upsertPendingInvitee` with `InvitationRepository.newInvitationPart`: account,
 * pending membership and its grants, and the invitation, in one statement (as the app composes it).
 */
export const INSERT_INVITATION_AFTER_INVITEE = {
  name: 'users_upsert_pending_invitee_new_invitation',
  text: `WITH new_user AS (
           INSERT INTO users (id, email, full_name, created_by_invitation_id) VALUES ($1, $2, $3, $4)
           ON CONFLICT (email) DO NOTHING RETURNING id, email, full_name, user_name),
         u AS (
           SELECT id, email, full_name, user_name FROM new_user
           UNION ALL SELECT id, email, full_name, user_name FROM users WHERE email = $2),
         m AS (
           INSERT INTO memberships (id, organization_id, user_id, account_state, invited_at)
           SELECT $5, $6, u.id, 'pending_invitation', now() FROM u
           ON CONFLICT (organization_id, user_id) DO UPDATE SET invited_at = now(), updated_at = now()
            WHERE memberships.account_state = 'pending_invitation'
           RETURNING id, organization_id, account_state, invited_at, deactivated_at, (xmax = 0) AS inserted),
         stale_roles AS (
           DELETE FROM membership_roles
            WHERE membership_id IN (SELECT id FROM m WHERE NOT inserted) AND role_id <> ALL($7::varchar[])),
         stale_departments AS (
           DELETE FROM membership_departments
            WHERE membership_id IN (SELECT id FROM m WHERE NOT inserted) AND department_id <> ALL($8::varchar[])),
         new_roles AS (
           INSERT INTO membership_roles (membership_id, role_id)
           SELECT m.id, unnest($7::varchar[]) FROM m ON CONFLICT DO NOTHING),
         new_departments AS (
           INSERT INTO membership_departments (membership_id, department_id)
           SELECT m.id, unnest($8::varchar[]) FROM m ON CONFLICT DO NOTHING),
         new_invitation AS (INSERT INTO invitations (id, organization_id, user_id, membership_id, email, full_name, role_ids, department_ids,
                                    status, version, custom_message, invited_by, email_status, issued_at, expires_at)
           SELECT $9::varchar, m.organization_id, u.id, m.id, $10::varchar, $11::varchar, $12::varchar[],
                  $13::varchar[], 'pending', 1, $14::text, $15::varchar, $16::varchar, now(),
                  now() + make_interval(days => $17::int)
             FROM (SELECT id FROM u LIMIT 1) u JOIN m ON true
           RETURNING created_at, updated_at, issued_at, expires_at)
         SELECT u.id AS user_id, m.id AS membership_id, u.full_name, u.email, u.user_name, m.account_state,
                m.organization_id, m.invited_at, m.deactivated_at,
                ARRAY(SELECT unnest($7::varchar[]) ORDER BY 1) AS role_ids,
                ARRAY(SELECT unnest($8::varchar[]) ORDER BY 1) AS department_ids, new_invitation.created_at, new_invitation.updated_at, new_invitation.issued_at, new_invitation.expires_at
           FROM (SELECT * FROM u LIMIT 1) u LEFT JOIN m ON true LEFT JOIN new_invitation ON true`,
};

/**
 * `EventLog.appendAll` with its one reading reaction, the webhook scheduler's MATCHING_ENDPOINTS
 * (no endpoint matches in the bench, so no delivery is written), and its one writing reaction, the
 * created invitation's email.
 */
const MATCHING_ENDPOINTS = `SELECT a.id AS event_id, e.id AS endpoint_id
  FROM appended a JOIN webhook_endpoints e ON e.organization_id = a.organization_id
 WHERE e.enabled
   AND ('*' = ANY(e.event_types) OR a.type = ANY(e.event_types)
        OR split_part(a.type, '.', 1) || '.*' = ANY(e.event_types))`;
/** `OutboxRepository.createdInvitationEmailsWrite`: the mail reaction's write in the events statement. */
const CREATED_INVITATION_EMAILS = `INSERT INTO email_outbox (invitation_id, invitation_version, message_id)
         SELECT a.subject_id, 1, '<' || a.subject_id || '.v1@${messageIdHost.replace(/'/g, "''")}>' FROM appended a
          WHERE a.type = 'invitation.created' AND a.data->>'email_status' = 'queued'
         ON CONFLICT (invitation_id, invitation_version) DO NOTHING`;
export const APPEND_EVENTS = {
  name: 'events_append_r1_w1',
  text: `WITH appended AS (
         INSERT INTO events (id, organization_id, type, actor_type, actor_id, actor_api_key_id, subject_type, subject_id, data)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::jsonb[])
         RETURNING id, organization_id, type, subject_id, data, created_at),
       write_0 AS (${CREATED_INVITATION_EMAILS})
       SELECT (SELECT created_at FROM appended LIMIT 1) AS created_at${`, (SELECT COALESCE(json_agg(r), '[]') FROM (${MATCHING_ENDPOINTS}) r) AS read_0`}`,
};

// The v2 answer is built from the invitee CTE's row (published-invitations.controller.ts): no statement.

// ---- Accept (src/invitations/invitation-acceptance.service.ts), through TypeORM ----

/** An invitation's columns over `i` (invitation.repository.ts INVITATION_COLUMNS). */
const INVITATION_COLUMNS = `i.id, i.organization_id, i.user_id, i.membership_id, i.email, i.full_name, i.role_ids,
       i.department_ids, ${grantedRoleIdsSql('i')} AS granted_role_ids,
       ${grantedDepartmentIdsSql('i')} AS granted_department_ids, ${grantsOwnerSql('i')} AS grants_owner,
       i.status, i.version, i.custom_message, i.invited_by, i.email_status, i.email_last_error, i.expires_at,
       i.issued_at, i.created_at, i.updated_at, i.accepted_at, i.declined_at, i.revoked_at`;

/** `InvitationRepository.lockWithInvitee` */
export const LOCK_INVITATION_WITH_INVITEE = {
  name: 'invitations_lock_with_invitee',
  text: `SELECT ${INVITATION_COLUMNS},
              u.email AS invitee_email, u.full_name AS invitee_full_name, u.user_name AS invitee_user_name,
              u.created_at AS invitee_created_at, u.activated_at AS invitee_activated_at,
              u.email_verified_at AS invitee_email_verified_at,
              u.created_by_invitation_id AS invitee_created_by_invitation_id
         FROM invitations i JOIN users u ON u.id = i.user_id
        WHERE i.id = $1
          FOR UPDATE OF i, u`,
};

/**
 * `MembershipsRepository.joinByInvitation` with `InvitationRepository.acceptedPart` and
 * `ApiKeysRepository.newKeyPart`: the membership and account activated, the invitation settled and
 * the key written (the live-key count in its INSERT), in one statement (as the app composes it).
 */
export const JOIN_BY_INVITATION = {
  name: 'memberships_join_by_invitation_accepted_invitation_new_key',
  text: `WITH m AS (
           UPDATE memberships SET account_state = 'active', updated_at = now()
            WHERE id = $1 AND organization_id = $2 AND user_id = $3 AND account_state = 'pending_invitation'
           RETURNING id, user_id, organization_id, account_state, invited_at, deactivated_at),
         u AS (
           UPDATE users SET activated_at = COALESCE(activated_at, now()),
                  full_name = CASE WHEN $4 THEN COALESCE($5, full_name) ELSE full_name END,
                  email_verified_at = CASE WHEN $6 THEN COALESCE(email_verified_at, now()) ELSE email_verified_at END,
                  updated_at = CASE WHEN $4 OR $6 THEN now() ELSE updated_at END
            WHERE id = (SELECT user_id FROM m)
           RETURNING id, email, full_name, user_name, email_verified_at, created_at),
         accepted_invitation AS (UPDATE invitations AS i SET status = 'accepted', accepted_at = now(), updated_at = now(), role_ids = CASE WHEN i.status = 'pending'
     AND (SELECT gm.account_state FROM memberships gm WHERE gm.id = i.membership_id) = 'pending_invitation'
     THEN ARRAY(SELECT gr.role_id FROM membership_roles gr WHERE gr.membership_id = i.membership_id
                 ORDER BY array_position(i.role_ids, gr.role_id) NULLS LAST, gr.role_id)
     ELSE i.role_ids END, department_ids = CASE WHEN i.status = 'pending'
     AND (SELECT gm.account_state FROM memberships gm WHERE gm.id = i.membership_id) = 'pending_invitation'
     THEN ARRAY(SELECT gd.department_id FROM membership_departments gd WHERE gd.membership_id = i.membership_id
                 ORDER BY array_position(i.department_ids, gd.department_id) NULLS LAST, gd.department_id)
     ELSE i.department_ids END
        WHERE i.id = $7
    RETURNING i.role_ids AS accepted_role_ids, i.department_ids AS accepted_department_ids, i.accepted_at,
              i.updated_at AS accepted_updated_at),
         new_key AS (INSERT INTO api_keys (id, user_id, name, prefix, key_hash)
       SELECT $8::varchar, $9::varchar, $10::varchar, $11::varchar, $12::varchar
        WHERE (SELECT count(*) FROM api_keys WHERE user_id = $9 AND revoked_at IS NULL) < $13
       RETURNING created_at AS key_created_at)
         SELECT u.id, u.id AS user_id, u.email, u.full_name, u.user_name, u.email_verified_at, u.created_at,
                m.account_state, m.organization_id, m.invited_at, m.deactivated_at,
                COALESCE((SELECT array_agg(mr.role_id ORDER BY mr.role_id) FROM membership_roles mr WHERE mr.membership_id = m.id), '{}') AS role_ids,
              COALESCE((SELECT array_agg(md.department_id ORDER BY md.department_id) FROM membership_departments md WHERE md.membership_id = m.id), '{}') AS department_ids, accepted_invitation.accepted_role_ids, accepted_invitation.accepted_department_ids, accepted_invitation.accepted_at, accepted_invitation.accepted_updated_at, new_key.key_created_at
           FROM m JOIN u ON u.id = m.user_id LEFT JOIN accepted_invitation ON true LEFT JOIN new_key ON true`,
};
