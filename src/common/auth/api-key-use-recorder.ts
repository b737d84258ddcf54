/** last_used_at is kept to the minute: at most one write per key per minute, never one per request. */
export const KEY_USE_RESOLUTION_SQL = `interval '1 minute'`;

/**
 * What the AuthGuard needs to record that an API key was used, declared here because common/ sits
 * below the api-keys folder that owns the table; `ApiKeysModule` provides it (the class is the DI
 * token). The auth read already says whether a write is due (`Caller.touchDue`); `recordUse` must not
 * make the request wait for it.
 */
export abstract class ApiKeyUseRecorder {
  abstract recordUse(keyId: string): void;
}
