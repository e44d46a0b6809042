import type { ErrorClass } from '../../db/schema.ts';

/** A result batch that Postgres did not confirm in time (it may still commit: writes are idempotent). */
export class ResultWriteTimeoutError extends Error {
  override readonly name = 'ResultWriteTimeoutError';

  constructor(readonly timeoutMs: number) {
    super(`the result write was not confirmed within ${timeoutMs} ms`);
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

/**
 * Thrown to BullMQ for an attempt that was not scored and should be tried again: BullMQ
 * consumes an attempt, waits the job's backoff and, once the attempts are used, fails the job
 * (the task is paused). The message starts with the class, so a paused task says why.
 */
export class RetryableTaskError extends Error {
  override readonly name = 'RetryableTaskError';

  constructor(
    readonly errorClass: ErrorClass,
    detail: string | undefined,
  ) {
    super(detail ? `${errorClass}: ${detail}` : errorClass);
  }
}
