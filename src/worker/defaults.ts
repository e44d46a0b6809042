/** Defaults of the worker room; the config module maps `EVALPOOL_*` variables onto them. */

/**
 * Added to the worst case of an episode (`/reset` timeout + steps × action timeout) to make the
 * default whole-episode budget: a backstop against stalls, never hit by a miner that answers
 * every call within its timeout.
 */
export const EPISODE_TIMEOUT_MARGIN_MS = 10_000;

/** Concurrent episodes of `evalpool eval`. */
export const LOCAL_EVAL_CONCURRENCY = 1;
/** Episodes of `evalpool eval`. */
export const LOCAL_EVAL_EPISODES = 20;
