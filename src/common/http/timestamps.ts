/** API timestamps: ISO 8601 UTC with `Z`, second precision (`2026-01-05T10:30:00Z`). */
export function isoOrNull(date: Date | null | undefined): string | null {
  return date ? iso(date) : null;
}

export function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
