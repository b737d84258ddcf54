/**
 * The three roles every organization is created with (read-only through the API) and the power each
 * gives. The one definition: the roles rows an organization starts with, the AuthGuard's access
 * levels and every "only an Owner may…" check read it from here.
 */
export const SYSTEM_ROLES = [
  { key: 'owner', name: 'Owner', description: 'Full control, including granting Owner.' },
  { key: 'admin', name: 'Admin', description: 'Invites and manages members, roles and departments.' },
  { key: 'member', name: 'Member', description: 'Reads the organization.' },
] as const;

export type SystemRoleKey = (typeof SYSTEM_ROLES)[number]['key'];

/** A member's power is that of their highest system role; custom roles grant no more than Member. */
export const ROLE_RANK = { owner: 3, admin: 2, member: 1 } as const satisfies Record<SystemRoleKey, number>;

export function isSystemRoleKey(key: string): key is SystemRoleKey {
  return Object.hasOwn(ROLE_RANK, key);
}

export function rankOfRoleKeys(keys: readonly string[]): number {
  return Math.max(
    ROLE_RANK.member,
    ...keys.map((key) => (isSystemRoleKey(key) ? ROLE_RANK[key] : ROLE_RANK.member)),
  );
}
