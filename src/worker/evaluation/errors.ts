/** An env this worker has no evaluator for. */
export class UnsupportedEnvironmentError extends Error {
  override readonly name = 'UnsupportedEnvironmentError';

  constructor(
    readonly envs: readonly string[],
    /** What the worker can run: env ids, or `<family>/*`. */
    readonly runnable: readonly string[],
  ) {
    super(`no evaluator for ${envs.join(', ')}; this worker can run: ${runnable.join(', ') || '(nothing)'}`);
  }
}
