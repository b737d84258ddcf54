/**
 * Who may call a route:
 * - `public`: anyone; `user`: any valid API key;
 * - `member`: an active member of the organization in the path; `admin`: its Admin or Owner; `owner`: its Owner.
 *   These three are the system roles' keys: the caller's rank must reach that role's (system-roles.ts).
 */
export type AccessLevel = 'public' | 'user' | 'member' | 'admin' | 'owner';
