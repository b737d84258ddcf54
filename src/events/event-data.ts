/**
 * Field names that carry a credential. Events are read by every Admin through the audit log and
 * sent to every webhook endpoint, so none of these may ever be part of an event's `data`.
 */
const CREDENTIAL_FIELDS = new Set([
  'invitation_link',
  'token',
  'api_key',
  'key',
  'key_hash',
  'secret',
  'email_code',
]);

/**
 * A copy of `data` without credential fields, at any depth. Services pass the resource as the API
 * shows it; this is the one place that makes sure no link, token, key or secret leaves in an event.
 */
export function eventData(data: unknown): unknown {
  if (Array.isArray(data)) return data.map(eventData);
  if (data instanceof Date) return data.toISOString();
  if (data === null || typeof data !== 'object') return data;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(data)) {
    if (!CREDENTIAL_FIELDS.has(name) && value !== undefined) out[name] = eventData(value);
  }
  return out;
}
