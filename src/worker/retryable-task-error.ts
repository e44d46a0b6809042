import type { ErrorClass } from '../db/schema.ts';

/**
 * Thrown to BullMQ for an attempt that was not scored and should be tried again: BullMQ
 * consumes an attempt, waits the job's backoff and, once the attempts are used, fails the job
 * (the task is paused). The message starts with the class, so a paused task says why.
 */
export class RetryableTaskError extends Error {
  constructor(
    readonly errorClass: ErrorClass,
    detail: string | undefined,
  ) {
    super(detail ? `${errorClass}: ${detail}` : errorClass);
    this.name = 'RetryableTaskError';
  }
}
