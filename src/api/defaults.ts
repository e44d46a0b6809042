/**
 * Defaults of the read API that are not (yet) configuration variables. Passed in through
 * `ApiDeps`; tests and benches override them.
 */

/**
 * At most this often per process, a request to a cached resource (`/v1/weights/latest`,
 * `/v1/scores/latest`) triggers a one-row probe of Postgres to see whether a newer row landed;
 * the request itself is answered from memory. New weights are visible within this delay.
 */
export const API_CACHE_REFRESH_MS = 1_000;

/** Weights of past blocks kept serialised in memory (they never change). */
export const API_WEIGHTS_BY_BLOCK_CACHE_SIZE = 64;

/** Longest wait for an injected reader (Redis-backed state) before the route answers without it. */
export const API_READER_TIMEOUT_MS = 1_000;
