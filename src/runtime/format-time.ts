/**
 * The one timestamp format people read: `2026-01-01 12:00:00Z` (UTC, to the second); `-` when
 * absent. CLI tables and sentences, and the texts the system writes for them (a paused task's
 * reason, a /v1/status warning) use it; JSON fields stay ISO 8601.
 */
export function formatTime(date: Date | null | undefined): string {
  if (!date) return '-';
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** {@link formatTime}'s format with milliseconds, for log lines on a terminal (pino-pretty's `translateTime`, dateformat syntax). */
export const LOG_TIME_FORMAT = "UTC:yyyy-mm-dd HH:MM:ss.l'Z'";
