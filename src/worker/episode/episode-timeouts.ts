import { EPISODE_TIMEOUT_MARGIN_MS, MINER_ACTION_TIMEOUT_MS, MINER_RESET_TIMEOUT_MS } from '../../config/constants.ts';
import type { Config } from '../../config/schema.ts';

/** Timeouts of one episode, in milliseconds. */
export interface EpisodeTimeouts {
  /** Whole `/reset` call. */
  readonly resetMs?: number;
  /** Whole `/act` call, per step. */
  readonly actionMs?: number;
  /** Whole episode; by default {@link episodeBudgetMs}'s worst case of the other two plus a margin. */
  readonly episodeMs?: number;
}

/**
 * The episode timeouts of a deployment (`EVALPOOL_MINER_RESET_TIMEOUT_MS`,
 * `EVALPOOL_ACTION_TIMEOUT_MS`, `EVALPOOL_EPISODE_TIMEOUT_MS`).
 */
export function episodeTimeouts(config: Pick<Config, 'worker'>): EpisodeTimeouts {
  return { resetMs: config.worker.minerResetTimeoutMs, actionMs: config.worker.actionTimeoutMs, episodeMs: config.worker.episodeTimeoutMs };
}

/** The per-call timeouts with their fallbacks applied. */
export function callTimeouts(timeouts: EpisodeTimeouts = {}): { readonly resetMs: number; readonly actionMs: number } {
  return { resetMs: timeouts.resetMs ?? MINER_RESET_TIMEOUT_MS, actionMs: timeouts.actionMs ?? MINER_ACTION_TIMEOUT_MS };
}

/**
 * The whole-episode budget of an episode of up to `maxTimesteps` steps: the configured one, or the
 * worst case of a miner that answers every call just within its timeout, plus a margin. The
 * worker abandons an evaluation still running well past it (see `runEvaluation`).
 */
export function episodeBudgetMs(timeouts: EpisodeTimeouts, maxTimesteps: number): number {
  if (timeouts.episodeMs !== undefined) return timeouts.episodeMs;
  const { resetMs, actionMs } = callTimeouts(timeouts);
  return resetMs + maxTimesteps * actionMs + EPISODE_TIMEOUT_MARGIN_MS;
}
