/**
 * What an invitation grants, as SQL over an `invitations` alias — the one definition every reader
 * uses (the Invitation entity's virtual columns, the lookup, the email, the member view's link rule).
 *
 * While an invitation is pending, its pending membership holds the roles and departments that
 * accept will activate, and `PUT …/users/{id}/memberships` may change them; so that is where they
 * are read from. When the invitation leaves `pending` (accepted, declined, revoked, expired), the
 * statement that settles it also writes them into its own `role_ids`/`department_ids`
 * (`RECORD_GRANTS`), which from then on are the record of what it granted. Roles keep the order
 * they were invited in; roles added later follow.
 */

// A scalar subquery rather than EXISTS: PostgreSQL may run an EXISTS in a select list as a hashed
// subplan over the whole memberships table; this one is always a primary-key lookup.
const livePending = (i: string) =>
  `${i}.status = 'pending'
     AND (SELECT gm.account_state FROM memberships gm WHERE gm.id = ${i}.membership_id) = 'pending_invitation'`;

export function grantedRoleIdsSql(i: string): string {
  return `CASE WHEN ${livePending(i)}
     THEN ARRAY(SELECT gr.role_id FROM membership_roles gr WHERE gr.membership_id = ${i}.membership_id
                 ORDER BY array_position(${i}.role_ids, gr.role_id) NULLS LAST, gr.role_id)
     ELSE ${i}.role_ids END`;
}

export function grantedDepartmentIdsSql(i: string): string {
  return `CASE WHEN ${livePending(i)}
     THEN ARRAY(SELECT gd.department_id FROM membership_departments gd WHERE gd.membership_id = ${i}.membership_id
                 ORDER BY array_position(${i}.department_ids, gd.department_id) NULLS LAST, gd.department_id)
     ELSE ${i}.department_ids END`;
}

/** Whether the invitation grants the organization's Owner role (then only an Owner may see its link). */
export function grantsOwnerSql(i: string): string {
  return ownerAmongSql(i, grantedRoleIdsSql(i));
}

/** Whether `roleIds` (an SQL array of the invitation's organization's role ids) holds its Owner role. */
export function ownerAmongSql(i: string, roleIds: string): string {
  return `EXISTS (SELECT 1 FROM roles go WHERE go.organization_id = ${i}.organization_id
     AND go.is_system AND go.key = 'owner' AND go.id = ANY(${roleIds}))`;
}

/**
 * SET clauses for an `UPDATE invitations AS i` that takes the invitation out of `pending`: the
 * right-hand sides see the row as it was (still pending), so they read the live grants.
 */
export const RECORD_GRANTS = `role_ids = ${grantedRoleIdsSql('i')}, department_ids = ${grantedDepartmentIdsSql('i')}`;
