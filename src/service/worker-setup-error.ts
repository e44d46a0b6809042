/** A worker cannot start for a reason the operator fixes (no environment, database not migrated): the message says how. */
export class WorkerSetupError extends Error {
  override readonly name = 'WorkerSetupError';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}
