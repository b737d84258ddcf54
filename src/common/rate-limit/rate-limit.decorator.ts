/**
 * The budgets a route can opt into. The per-user request budget needs no decorator: the guard
 * applies it to every request that carries a valid key.
 * - `public-token`: the public invitation token routes, per client address (token guessing).
 * - `invites-per-org`: every route that sends an organization's email (creates, resends), per
 *   organization and hour (email bombing).
 * - `org-creates-per-user`: organization creation, per user and hour (each organization has its own
 *   email budget, so organizations must not be free).
 */
export type RateLimitKind = 'public-token' | 'invites-per-org' | 'org-creates-per-user';

export const RATE_LIMIT_KINDS = 'rate-limit-kinds';

/** Adds `kind` to the route's list, so a route can carry several budgets. */
function addKind(kind: RateLimitKind): MethodDecorator & ClassDecorator {
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const where = (descriptor?.value as object | undefined) ?? target;
    const kinds = (Reflect.getMetadata(RATE_LIMIT_KINDS, where) as RateLimitKind[] | undefined) ?? [];
    Reflect.defineMetadata(RATE_LIMIT_KINDS, [...kinds, kind], where);
    return descriptor as never;
  };
}

/**
 * Puts the route under a rate-limit budget (enforced by the global RateLimitGuard). Its 429
 * RATE_LIMITED is documented on every operation (COMMON_ERROR_CODES), as any route can answer it.
 */
export function RateLimit(kind: RateLimitKind): MethodDecorator & ClassDecorator {
  return addKind(kind);
}
