/** A worker cannot start for a reason the operator fixes (no environment, database not migrated): the message says how. */
export class WorkerSetupError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WorkerSetupError';
  }
}
