/** Thrown when a {@link ScoringInput} breaks its contract; `field` says where, e.g. `aggregates[3].n`. */
export class ScoringInputError extends Error {
  override readonly name = 'ScoringInputError';

  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`scoring input: ${field} ${detail}`);
  }
}
