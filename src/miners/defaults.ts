/**
 * Defaults of the miners room, in one place; the config module maps `EVALPOOL_*` variables onto
 * them. Durations in milliseconds, sizes in bytes.
 */

/** Time to establish a TCP (and TLS) connection to a miner. */
export const MINER_CONNECT_TIMEOUT_MS = 3_000;
/** Whole `/reset` request, headers and body (DESIGN.md: 5 s). */
export const MINER_RESET_TIMEOUT_MS = 5_000;
/** Whole `/act` request: the per-step action timeout (DESIGN.md: 0.5 s). */
export const MINER_ACTION_TIMEOUT_MS = 500;
/** Largest response body read from a miner; an action is a few hundred bytes. */
export const MINER_MAX_RESPONSE_BYTES = 1_048_576;
/** Idle keep-alive connections are closed after this (below Node's 5 s server default, to avoid racing it). */
export const MINER_KEEP_ALIVE_TIMEOUT_MS = 4_000;
/** Most connections held open to one miner; its slots bound the concurrency anyway. */
export const MINER_MAX_CONNECTIONS = 64;

/** Consecutive `miner_unavailable` attempts that open a miner's circuit. */
export const BREAKER_FAILURE_THRESHOLD = 5;
/** First cool-down of an open circuit before one probe is let through. */
export const BREAKER_BASE_COOLDOWN_MS = 30_000;
/** Each re-open multiplies the cool-down by this. */
export const BREAKER_COOLDOWN_MULTIPLIER = 2;
/** Longest cool-down. */
export const BREAKER_MAX_COOLDOWN_MS = 600_000;

/** A miner client unused for this long has its connections closed (its breaker state is kept while not closed). */
export const MINER_CLIENT_IDLE_MS = 300_000;
/** How often the client registry looks for idle clients. */
export const MINER_CLIENT_SWEEP_INTERVAL_MS = 60_000;
