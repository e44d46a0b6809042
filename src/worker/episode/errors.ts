/**
 * The whole-episode time budget ran out. `minerShare` is the fraction of the elapsed time spent
 * waiting for the miner, which decides whose fault it was, unless `workerStalled`: the budget's
 * timer fired right after this process had stalled, which is never the miner's fault.
 */
export class EpisodeTimeoutError extends Error {
  override readonly name = 'EpisodeTimeoutError';

  constructor(
    readonly budgetMs: number,
    readonly minerShare: number,
    readonly timesteps: number,
    readonly workerStalled = false,
  ) {
    super(
      `episode exceeded its ${budgetMs} ms budget after ${timesteps} steps (${Math.round(minerShare * 100)}% of it waiting for the miner)` +
        (workerStalled ? "; the worker had just stalled, so it is not the miner's delay" : ''),
    );
  }
}

/** The worker is shutting down (its AbortSignal fired) while an episode runs: `worker_error`. */
export class EpisodeAbortedError extends Error {
  override readonly name = 'EpisodeAbortedError';

  constructor(reason: unknown) {
    super(`aborted: ${reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'shutdown'}`);
  }
}
