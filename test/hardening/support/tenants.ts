import { expect } from '@jest/globals';
import { ApiKeysService } from '../../../src/api-keys/api-keys.service.js';
import { newId } from '../../../src/common/ids/ids.js';
import { EmailCodes } from '../../../src/email-verification/email-codes.js';
import { EmailVerificationCodes } from '../../../src/email-verification/email-verification-codes.js';
import {
  Actor,
  auth,
  createActiveMember,
  createOrganizationWithOwner,
  systemRoles,
  uniqueEmail,
} from '../../support/fixtures.js';
import { tokenFromLink } from '../../support/invitations.js';
import { TestApp } from '../../support/test-app.js';

/** One organization with an Owner, an Admin, a Member and one of each resource, made through the API. */
export interface Tenant {
  orgId: string;
  slug: string;
  name: string;
  owner: Actor;
  admin: Actor;
  member: Actor;
  roles: { owner: string; admin: string; member: string };
  customRoleId: string;
  departmentId: string;
  invitation: PendingInvitation;
  domainId: string;
}

export interface PendingInvitation {
  id: string;
  email: string;
  userId: string;
  token: string;
}

async function created(
  res: { status: number; body: Record<string, unknown> },
  what: string,
): Promise<Record<string, unknown>> {
  if (res.status !== 201)
    throw new Error(`creating ${what} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function createTenant(t: TestApp, name: string): Promise<Tenant> {
  const { orgId, orgSlug, owner } = await createOrganizationWithOwner(t, name);
  const roles = await systemRoles(t, orgId);
  const admin = await createActiveMember(t, orgId, [roles.admin], uniqueEmail('admin'));
  const member = await createActiveMember(t, orgId, [roles.member], uniqueEmail('member'));
  const tenant = { orgId, slug: orgSlug, name, owner, admin, member, roles } as Tenant;
  tenant.customRoleId = await freshRole(t, tenant);
  tenant.departmentId = await freshDepartment(t, tenant);
  tenant.invitation = await freshInvitation(t, tenant);
  tenant.domainId = await freshDomain(t, tenant);
  return tenant;
}

let counter = 0;
const unique = (prefix: string) => `${prefix} ${Date.now().toString(36)}-${++counter}`;

export async function freshRole(t: TestApp, org: Tenant): Promise<string> {
  const res = await t
    .http()
    .post(`/v1/organizations/${org.orgId}/roles`)
    .set(auth(org.owner))
    .send({ name: unique('Role') });
  return (await created(res, 'a role')).id as string;
}

export async function freshDepartment(t: TestApp, org: Tenant): Promise<string> {
  const res = await t
    .http()
    .post(`/v1/organizations/${org.orgId}/departments`)
    .set(auth(org.owner))
    .send({ name: unique('Dept') });
  return (await created(res, 'a department')).id as string;
}

/** A pending invitation (no email sent) and the token of its link. */
export async function freshInvitation(
  t: TestApp,
  org: Tenant,
  body: Record<string, unknown> = {},
): Promise<PendingInvitation> {
  const email = uniqueEmail('invitee');
  const res = await t
    .http()
    .post(`/v1/organizations/${org.orgId}/invitations`)
    .set(auth(org.owner))
    .send({ email, send_invitation: false, ...body });
  const inv = await created(res, 'an invitation');
  return {
    id: inv.invitation_id as string,
    email,
    userId: inv.user_id as string,
    token: tokenFromLink(inv.invitation_link as string),
  };
}

export async function freshMember(t: TestApp, org: Tenant): Promise<Actor> {
  return createActiveMember(t, org.orgId, [org.roles.member], uniqueEmail('member'));
}

export async function freshDeactivatedMember(t: TestApp, org: Tenant): Promise<Actor> {
  const actor = await freshMember(t, org);
  const res = await t
    .http()
    .post(`/v1/organizations/${org.orgId}/users/${actor.userId}/deactivate`)
    .set(auth(org.owner))
    .send();
  expect(res.status).toBe(200);
  return actor;
}

/** A new API key of `actor`, for routes that end one. */
export async function freshApiKeyId(t: TestApp, actor: Actor): Promise<string> {
  return (await t.app.get(ApiKeysService).issue(actor.userId, 'spare')).id;
}

/** A claimed (pending) domain of the organization, made through the API. */
export async function freshDomain(t: TestApp, org: Tenant): Promise<string> {
  const res = await t
    .http()
    .post(`/v1/organizations/${org.orgId}/domains`)
    .set(auth(org.owner))
    .send({
      domain: `${unique('dom')
        .replace(/[^a-z0-9]+/gi, '-')
        .toLowerCase()}.test`,
    });
  return (await created(res, 'a domain')).id as string;
}

/** A verified domain: verify answers it as it is, without asking DNS (the suites have no DNS server). */
export async function freshVerifiedDomain(t: TestApp, org: Tenant): Promise<string> {
  const id = await freshDomain(t, org);
  await t.dataSource.query(
    `UPDATE organization_domains SET status = 'verified', verified_at = now() WHERE id = $1`,
    [id],
  );
  return id;
}

/**
 * A new organization that `actor` may join by domain: auto-join on, and the verified domain of
 * actor's email (taken over from whichever organization held it, which only tests may do).
 */
export async function freshJoinableOrganization(t: TestApp, actor: Actor): Promise<string> {
  const { orgId } = await createOrganizationWithOwner(t, unique('Joinable'));
  const domain = actor.email.slice(actor.email.lastIndexOf('@') + 1);
  await t.dataSource.transaction(async (m) => {
    await m.query(`DELETE FROM organization_domains WHERE domain = $1 AND status = 'verified'`, [domain]);
    await m.query(
      `INSERT INTO organization_domains (id, organization_id, domain, status, verification_value, verified_at)
       VALUES ($1, $2, $3, 'verified', 'v', now())`,
      [newId('dom'), orgId, domain],
    );
    await m.query(
      `UPDATE organizations SET auto_join_enabled = true,
              auto_join_role_id = (SELECT id FROM roles WHERE organization_id = $1 AND key = 'member' AND is_system)
        WHERE id = $1`,
      [orgId],
    );
    await m.query('UPDATE users SET email_verified_at = COALESCE(email_verified_at, now()) WHERE id = $1', [
      actor.userId,
    ]);
  });
  return orgId;
}

/** Makes `actor`'s email unverified again, with no code outstanding, so a verification can start over. */
export async function unverifyEmail(t: TestApp, actor: Actor): Promise<void> {
  await t.dataSource.query('UPDATE users SET email_verified_at = NULL WHERE id = $1', [actor.userId]);
  await t.dataSource.query('DELETE FROM email_verification_codes WHERE user_id = $1', [actor.userId]);
}

/** A live verification code for `actor` (unverified for it), as the app issues and emails it. */
export async function freshEmailCode(t: TestApp, actor: Actor): Promise<string> {
  await unverifyEmail(t, actor);
  await t.dataSource.transaction((m) =>
    t.app.get(EmailVerificationCodes).request(m, { id: actor.userId, email: actor.email }),
  );
  const [row]: { id: string }[] = await t.dataSource.query(
    'SELECT id FROM email_verification_codes WHERE user_id = $1',
    [actor.userId],
  );
  return t.app.get(EmailCodes).codeFor(row.id);
}
