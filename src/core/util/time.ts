/**
 * A timestamp as Actor Studio writes it into data files: ISO 8601 in UTC with `+00:00` rather
 * than `Z`, because the old tool's Python (`datetime.fromisoformat` before 3.11) rejects `Z`.
 * Readers accept both (`Date.parse` does).
 */
export function isoTime(date: Date = new Date()): string {
  return date.toISOString().replace(/Z$/, '+00:00');
}
