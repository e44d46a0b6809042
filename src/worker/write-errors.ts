/** A result batch that Postgres did not confirm in time (it may still commit: writes are idempotent). */
export class ResultWriteTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the result write was not confirmed within ${timeoutMs} ms`);
    this.name = 'ResultWriteTimeoutError';
  }
}

/**
 * Whether a write failed because Postgres refuses the rows themselves (SQLSTATE class 22, data
 * exception, or 23, integrity constraint violation): writing them again cannot succeed. Every
 * other failure (connection refused or lost, timeout, server shutting down) is worth retrying.
 */
export function isPermanentWriteError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}
