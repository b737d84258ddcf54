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

/** Whether a member of this rank may call a route of this level (a system role's key). */
export function meetsLevel(rank: number, level: SystemRoleKey): boolean {
  return rank >= ROLE_RANK[level];
}

/**
 * Whether a caller of this rank may change a member, or grant roles: an Admin manages members, but
 * only an Owner grants the Owner role or changes, deactivates or removes an Owner (`touchesOwner`).
 */
export function mayChangeMember(callerRank: number, touchesOwner: boolean): boolean {
  return meetsLevel(callerRank, touchesOwner ? 'owner' : 'admin');
}
