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
