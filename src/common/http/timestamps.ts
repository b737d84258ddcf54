/** API timestamps: ISO 8601 UTC with `Z`, second precision (`2026-01-05T10:30:00Z`). */
export function isoOrNull(date: Date | null | undefined): string | null {
  return date ? iso(date) : null;
}

export function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** To the minute, for values recorded only once a minute (an API key's last_used_at). */
export function isoMinute(date: Date): string {
  return date.toISOString().replace(/:\d{2}\.\d{3}Z$/, ':00Z');
}
