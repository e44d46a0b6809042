import { maskUrlPassword } from '../config/mask.ts';

/** The services evalpool needs, with the command that starts each on a Debian machine. */
const HINTS = {
  postgres: 'start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start (or set EVALPOOL_DATABASE_URL)',
  redis: 'start it with: redis-server --daemonize yes --port 6379 --save "" --appendonly no (or set EVALPOOL_REDIS_URL)',
} as const;

function codeOf(error: unknown): string | undefined {
  const e = error as { code?: string; errors?: { code?: string }[]; cause?: unknown };
  return e?.code ?? e?.errors?.[0]?.code ?? (e?.cause ? codeOf(e.cause) : undefined);
}

/**
 * Turns "cannot reach Postgres/Redis" into one sentence that says what to start and how; returns
 * undefined for any other error (which is then shown as it is).
 */
export function explainConnectionError(error: unknown, service: keyof typeof HINTS, url: string): string | undefined {
  const code = codeOf(error);
  const message = (error as Error)?.message ?? '';
  const unreachable = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH'].includes(code ?? '') || /timeout|connect/i.test(message);
  if (!unreachable) return undefined;
  const name = service === 'postgres' ? 'Postgres' : 'Redis';
  return `${name} is not answering at ${maskUrlPassword(url)} (${code ?? message}); ${HINTS[service]}`;
}
