/**
 * Fixed constants of evalpool that are not meant to be tuned per deployment. Tunables are
 * `EVALPOOL_*` variables in `sections/`; these are the rules of the subnet and of the pool.
 */

/** First-commit-advantage thresholds (the subnet's published scoring rules). */
export const SCORING = Object.freeze({
  /** z of the confidence margin `z·sqrt(p(1−p)/n)`. */
  z: 1.5,
  minGap: 0.02,
  maxGap: 0.1,
  /** ε-Pareto frontier: `eps = clip(2·std/sqrt(n), epsMin, epsMax)`. */
  epsMin: 0.01,
  epsMax: 0.2,
});

/**
 * Slot tiers: `health = success_like / (success_like + miner_unavailable)` over the last hour;
 * the first tier whose `minHealth` is met decides the change (before clamping to the bounds).
 */
export const SLOT_TIERS: readonly { readonly minHealth: number; readonly add?: number; readonly multiply?: number }[] = Object.freeze([
  { minHealth: 0.9, add: 2 },
  { minHealth: 0.7, add: 0 },
  { minHealth: 0.5, add: -3 },
  { minHealth: 0.3, multiply: 0.7 },
  { minHealth: 0, multiply: 0.5 },
]);

/** Window of attempts the slot adjuster looks at. */
export const SLOT_HEALTH_WINDOW_SECONDS = 3_600;

/** Chain block time, used to derive a block number from the clock when there is no chain. */
export const BLOCK_SECONDS = 12;

// Chain (miner sources, commitments, validator). Tunables among these are the defaults of the
// EVALPOOL_CHAIN_* / EVALPOOL_VALIDATOR_* variables in sections/chain.ts.

/** Host suffix of Basilica deployments: `https://<deployment-id>` + this. */
export const BASILICA_ENDPOINT_SUFFIX = '.deployments.basilica.ai';

/** Target block time of subtensor in ms, used by the static source's block clock. */
export const BLOCK_TIME_MS = BLOCK_SECONDS * 1_000;
/**
 * Genesis of the static source's block clock: block 0 starts at 2024-01-01T00:00:00Z, so block
 * numbers are positive, grow by one every 12 s, and read the same on every replica.
 */
export const STATIC_CLOCK_GENESIS_MS = Date.UTC(2024, 0, 1);

/** Per-call timeout of chain reads (one RPC round trip). */
export const CHAIN_CALL_TIMEOUT_MS = 10_000;
/** Timeout to open a connection and load the runtime metadata (~300 kB on subtensor). */
export const CHAIN_CONNECT_TIMEOUT_MS = 30_000;
/** First delay before reconnecting after a failure; doubles per consecutive failure. */
export const CHAIN_RECONNECT_MIN_MS = 1_000;
/** Longest delay between reconnection attempts. */
export const CHAIN_RECONNECT_MAX_MS = 60_000;

/** How often the validator polls the backend's latest weights. */
export const VALIDATOR_POLL_INTERVAL_MS = 60_000;
/** Timeout of one `GET /v1/weights/latest`. */
export const VALIDATOR_HTTP_TIMEOUT_MS = 10_000;
/** Attempts per poll of `GET /v1/weights/latest` (1 + retries), with doubling backoff. */
export const VALIDATOR_HTTP_ATTEMPTS = 4;
/** First backoff between HTTP attempts. */
export const VALIDATOR_HTTP_BACKOFF_MS = 500;
/** How long to wait for `set_weights` to be included in a block. */
export const VALIDATOR_INCLUSION_TIMEOUT_MS = 120_000;
/** Mortality of the validator's extrinsics, in blocks. */
export const VALIDATOR_ERA_PERIOD = 64;

// Miners: the HTTP client of each miner endpoint and its circuit breaker. The tunables among
// these are the defaults of EVALPOOL_* variables in sections/worker.ts; the library classes fall
// back to them when used without a config (tests, `evalpool eval`).

/** Time to establish a TCP (and TLS) connection to a miner (EVALPOOL_MINER_CONNECT_TIMEOUT_MS). */
export const MINER_CONNECT_TIMEOUT_MS = 3_000;
/** Whole `/reset` request, headers and body (DESIGN.md: 5 s; EVALPOOL_MINER_RESET_TIMEOUT_MS). */
export const MINER_RESET_TIMEOUT_MS = 5_000;
/** Whole `/act` request: the per-step action timeout (DESIGN.md: 0.5 s; EVALPOOL_ACTION_TIMEOUT_MS). */
export const MINER_ACTION_TIMEOUT_MS = 500;
/** Largest response body read from a miner; an action is a few hundred bytes (EVALPOOL_MINER_MAX_RESPONSE_BYTES). */
export const MINER_MAX_RESPONSE_BYTES = 1_048_576;
/** Idle keep-alive connections are closed after this (below Node's 5 s server default, to avoid racing it). */
export const MINER_KEEP_ALIVE_TIMEOUT_MS = 4_000;
/** Most connections held open to one miner; its slots bound the concurrency anyway. */
export const MINER_MAX_CONNECTIONS = 64;
/** A miner client unused for this long has its connections closed (its breaker state is kept while not closed). */
export const MINER_CLIENT_IDLE_MS = 300_000;
/** How often the client registry looks for idle clients. */
export const MINER_CLIENT_SWEEP_INTERVAL_MS = 60_000;

/** Consecutive `miner_unavailable` attempts that open a miner's circuit (EVALPOOL_CIRCUIT_FAILURE_THRESHOLD). */
export const CIRCUIT_FAILURE_THRESHOLD = 5;
/** First cool-down of an open circuit before one probe is let through (EVALPOOL_CIRCUIT_COOLDOWN_MS). */
export const CIRCUIT_COOLDOWN_MS = 30_000;
/** Each re-open (a failed probe) multiplies the cool-down by this. */
export const CIRCUIT_COOLDOWN_MULTIPLIER = 2;
/** Longest cool-down (EVALPOOL_CIRCUIT_MAX_COOLDOWN_MS). */
export const CIRCUIT_MAX_COOLDOWN_MS = 600_000;

// Episodes and the worker.

/**
 * Added to the worst case of an episode (`/reset` timeout + steps × action timeout) to make the
 * default whole-episode budget when EVALPOOL_EPISODE_TIMEOUT_MS is unset: a backstop against
 * stalls, never hit by a miner that answers every call within its timeout.
 */
export const EPISODE_TIMEOUT_MARGIN_MS = 10_000;
/** A hung evaluator is abandoned this long after the episode budget, as an `env_error`. */
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

// Local evaluation (`evalpool eval`): defaults of its flags.

/** Episodes of `evalpool eval`. */
export const LOCAL_EVAL_EPISODES = 20;
/** Concurrent episodes of `evalpool eval`. */
export const LOCAL_EVAL_CONCURRENCY = 1;

/**
 * The read API and `/metrics` of one process share a pool snapshot taken this recently, so that a
 * dashboard refresh or a scrape costs at most one snapshot per period.
 */
export const POOL_STATS_SHARE_MS = 1_000;
