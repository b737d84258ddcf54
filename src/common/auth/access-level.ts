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
