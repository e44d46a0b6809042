/**
 * Fixed rules of the worker that are not deployment tunables (those are `EVALPOOL_*` variables in
 * `src/config/sections/worker.ts`). The lead may fold them into the config module.
 */

/** A hung evaluator is abandoned this long after the episode timeout, as an `env_error`. */
export const HARD_TIMEOUT_MARGIN_MS = 10_000;

/**
 * Part of the shutdown grace kept for releasing aborted tasks and closing connections: running
 * episodes get `grace − reserve` to finish, then they are aborted and released to pending.
 */
export const SHUTDOWN_RELEASE_RESERVE_MS = 2_000;

/** First delay before a parked outcome (result write failed) is written again; doubles each time. */
export const PARKED_RESULT_BASE_DELAY_MS = 500;

/**
 * An evaluator that reports `worker_error` outside a shutdown is retried without consuming an
 * attempt, at most this many times in a row; after that the task consumes attempts like an
 * `env_error`, so that a task which always breaks the worker ends paused instead of looping.
 */
export const MAX_WORKER_ERRORS = 5;

/** First delay before a task released after a `worker_error` (not a shutdown) is tried again. */
export const WORKER_ERROR_BASE_DELAY_MS = 1_000;

/** Result flushes a writer runs at once (a batch waits while this many are in flight). */
export const RESULT_WRITER_MAX_IN_FLIGHT = 2;

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
