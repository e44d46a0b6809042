/** One variable that broke its rule. `value` is already masked when the variable is a secret. */
export interface ConfigProblem {
  readonly name: string;
  readonly value: string | undefined;
  readonly message: string;
}

/** Thrown by `loadConfig` with every problem found, not just the first. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(
      `invalid configuration:\n${problems
        .map((p) => `  ${p.name}=${p.value === undefined ? '(unset)' : JSON.stringify(p.value)}: ${p.message}`)
        .join('\n')}`,
    );
    this.problems = problems;
  }
}
