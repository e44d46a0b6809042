/**
 * Errors of the sampling room. Each carries a message meant for an operator (the CLI prints it
 * as it is, without a stack trace).
 */
export class SamplingError extends Error {
  override readonly name: string = 'SamplingError';
}

/** One thing wrong in one definition file. */
export interface DefinitionProblem {
  readonly file: string;
  /** The JSON field, e.g. `rotation.count` or `initial_list[3]`; `(file)` for the file itself. */
  readonly field: string;
  readonly detail: string;
}

/** Definition files that cannot be used; the message lists every problem, one per line. */
export class SamplingDefinitionError extends SamplingError {
  override readonly name = 'SamplingDefinitionError';

  constructor(readonly problems: readonly DefinitionProblem[]) {
    const lines = problems.map((p) => `  ${p.file}: ${p.field}: ${p.detail}`);
    super(`invalid sampling-list definition${problems.length > 1 ? 's' : ''}:\n${lines.join('\n')}`);
  }
}

/**
 * The dataset cannot provide the ids asked for: a list of `listSize` distinct ids, or `count`
 * new ids that are not already in the list.
 */
export class DatasetTooSmallError extends SamplingError {
  override readonly name = 'DatasetTooSmallError';

  constructor(
    readonly envId: string,
    readonly datasetSize: number,
    readonly needed: number,
    readonly available: number,
    what: string,
  ) {
    super(
      `sampling list of ${envId}: the dataset is too small: ${what} needs ${needed} free task ids, but the dataset has ${datasetSize}, ${available} of them free`,
    );
  }
}

/** No sampling list is stored for this environment. */
export class UnknownSamplingListError extends SamplingError {
  override readonly name = 'UnknownSamplingListError';

  constructor(
    readonly envId: string,
    known: readonly string[],
  ) {
    super(
      `no sampling list for "${envId}" (known: ${known.length > 0 ? known.join(', ') : 'none yet; `evalpool serve` or `evalpool sampling sync` creates them'})`,
    );
  }
}
