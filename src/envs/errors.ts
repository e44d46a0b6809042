/** The simulator itself failed (diverged, refused the model, was used after close): `env_error`. */
export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError';

  constructor(
    message: string,
    readonly envId: string,
    options?: ErrorOptions,
  ) {
    super(`${envId}: ${message}`, options);
  }
}

/** An action that does not match the environment's action spec: a scored failure, never a retry. */
export class InvalidActionError extends Error {
  override readonly name = 'InvalidActionError';

  constructor(message: string) {
    super(message);
  }
}
