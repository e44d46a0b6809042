/**
 * Constants of the chain room (miner sources, commitments, validator). The config module folds
 * the tunable ones into `EVALPOOL_*` settings; nothing else copies these values.
 */

/** Host suffix of Basilica deployments: `https://<deployment-id>` + this. */
export const BASILICA_ENDPOINT_SUFFIX = '.deployments.basilica.ai';

/** Target block time of subtensor, used by the static source's block clock. */
export const BLOCK_TIME_MS = 12_000;
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
