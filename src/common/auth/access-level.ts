/**
 * Who may call a route:
 * - `public`: anyone; `user`: any valid API key;
 * - `member`: an active member of the organization in the path; `admin`: its Admin or Owner; `owner`: its Owner.
 */
export type AccessLevel = 'public' | 'user' | 'member' | 'admin' | 'owner';

/** Role power: a member's is that of their highest role; custom roles grant no more than Member. */
export const ROLE_RANK: Record<string, number> = { owner: 3, admin: 2, member: 1 };

export const LEVEL_RANK: Record<'member' | 'admin' | 'owner', number> = { member: 1, admin: 2, owner: 3 };

export function rankOfRoleKeys(keys: string[]): number {
  return Math.max(1, ...keys.map((k) => ROLE_RANK[k] ?? 1));
}

/** Whether a member of this rank may call a route of this level. */
export function meetsLevel(rank: number, level: 'member' | 'admin' | 'owner'): boolean {
  return rank >= LEVEL_RANK[level];
}

/**
 * Whether a caller of this rank may change a member, or grant roles: an Admin manages members, but
 * only an Owner grants the Owner role or changes, deactivates or removes an Owner (`touchesOwner`).
 */
export function mayChangeMember(callerRank: number, touchesOwner: boolean): boolean {
  return meetsLevel(callerRank, touchesOwner ? 'owner' : 'admin');
}
