import { ApiKeysService } from '../../src/api-keys/api-keys.service.js';
import { BootstrapService } from '../../src/cli/bootstrap.service.js';
import { newId } from '../../src/common/ids/ids.js';
import { TestApp } from './test-app.js';

export interface Actor {
  userId: string;
  email: string;
  key: string;
}

/** Per-role fixtures: an organization with an Owner, an Admin and a Member, and another organization's Owner. */
export interface World {
  orgId: string;
  orgSlug: string;
  owner: Actor;
  admin: Actor;
  member: Actor;
  otherOrgId: string;
  otherOwner: Actor;
  roles: { owner: string; admin: string; member: string };
}

let counter = 0;
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}@example.test`;
}

export async function createOrganizationWithOwner(
  t: TestApp,
  name = 'Acme',
): Promise<{ orgId: string; orgSlug: string; owner: Actor }> {
  const email = uniqueEmail('owner');
  const result = await t.app.get(BootstrapService).bootstrap(name, email);
  return {
    orgId: result.organization_id,
    orgSlug: result.organization_slug,
    owner: { userId: result.user_id, email, key: result.api_key },
  };
}

export async function systemRoles(
  t: TestApp,
  orgId: string,
): Promise<{ owner: string; admin: string; member: string }> {
  const rows: { id: string; key: string }[] = await t.dataSource.query(
    'SELECT id, key FROM roles WHERE organization_id = $1 AND is_system',
    [orgId],
  );
  const byKey = Object.fromEntries(rows.map((r) => [r.key, r.id]));
  return { owner: byKey.owner, admin: byKey.admin, member: byKey.member };
}

/**
 * An active account with an API key, made an active member of `orgId` with the given roles. Its
 * email is verified, as an established account's would be, unless `verified` is false.
 */
export async function createActiveMember(
  t: TestApp,
  orgId: string,
  roleIds: string[],
  email = uniqueEmail(),
  { verified = true }: { verified?: boolean } = {},
): Promise<Actor> {
  const userId = newId('usr');
  const membershipId = newId('mem');
  await t.dataSource.transaction(async (m) => {
    await m.query(
      `INSERT INTO users (id, email, activated_at, email_verified_at) VALUES ($1, $2, now(), CASE WHEN $3 THEN now() END)`,
      [userId, email, verified],
    );
    await m.query(
      `INSERT INTO memberships (id, organization_id, user_id, account_state) VALUES ($1, $2, $3, 'active')`,
      [membershipId, orgId, userId],
    );
    for (const roleId of roleIds) {
      await m.query('INSERT INTO membership_roles (membership_id, role_id) VALUES ($1, $2)', [
        membershipId,
        roleId,
      ]);
    }
  });
  const key = await t.app.get(ApiKeysService).issue(userId, 'test');
  return { userId, email, key: key.key };
}

export async function createWorld(t: TestApp): Promise<World> {
  const { orgId, orgSlug, owner } = await createOrganizationWithOwner(t, 'Acme');
  const roles = await systemRoles(t, orgId);
  const admin = await createActiveMember(t, orgId, [roles.admin], uniqueEmail('admin'));
  const member = await createActiveMember(t, orgId, [roles.member], uniqueEmail('member'));
  const other = await createOrganizationWithOwner(t, 'Other Corp');
  return { orgId, orgSlug, owner, admin, member, otherOrgId: other.orgId, otherOwner: other.owner, roles };
}

export const auth = (actor: Actor) => ({ 'X-API-Key': actor.key });
