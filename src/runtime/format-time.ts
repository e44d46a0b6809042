/** A timestamp for tables: `2026-01-01 12:00:00Z` (UTC, to the second); `-` when absent. */
export function formatTime(date: Date | null | undefined): string {
  if (!date) return '-';
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}
