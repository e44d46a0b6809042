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
