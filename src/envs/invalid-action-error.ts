/** An action that does not match the environment's action spec: a scored failure, never a retry. */
export class InvalidActionError extends Error {
  override readonly name = 'InvalidActionError';

  constructor(message: string) {
    super(message);
  }
}
