/**
 * The whole-episode time budget ran out. `minerShare` is the fraction of the elapsed time spent
 * waiting for the miner, which decides whose fault it was.
 */
export class EpisodeTimeoutError extends Error {
  override readonly name = 'EpisodeTimeoutError';

  constructor(
    readonly budgetMs: number,
    readonly minerShare: number,
    readonly timesteps: number,
  ) {
    super(`episode exceeded its ${budgetMs} ms budget after ${timesteps} steps (${Math.round(minerShare * 100)}% of it waiting for the miner)`);
  }
}
