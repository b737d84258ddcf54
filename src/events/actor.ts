/** Who caused an event: a user (through one of their API keys or a token), or the service itself. */
export interface Actor {
  type: 'user' | 'system';
  id: string | null;
  apiKeyId: string | null;
}

export const SYSTEM_ACTOR: Actor = Object.freeze({ type: 'system', id: null, apiKeyId: null });

/** The actor of a request's caller (anything with a user id and, for API keys, the key's id). */
export function userActor(caller: { userId: string; apiKeyId?: string | null }): Actor {
  return { type: 'user', id: caller.userId, apiKeyId: caller.apiKeyId ?? null };
}
