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

/** The rate limit's window: `EVALPOOL_RATE_LIMIT_PER_MINUTE` counts requests per minute. */
export const RATE_LIMIT_WINDOW_MS = 60_000;

/**
 * Client addresses the rate limiter remembers per window (two windows are kept): about 100 bytes
 * each, so at most ~20 MB. Past it, the address seen first in the window is forgotten.
 */
export const RATE_LIMIT_MAX_KEYS = 100_000;

/** How long a queue-view session cookie (`POST /v1/admin/session`) stays valid. */
export const ADMIN_SESSION_SECONDS = 8 * 3_600;

/** Longest an admin action may take (Redis or Postgres calls) before it answers 503. */
export const ADMIN_ACTION_TIMEOUT_MS = 15_000;

/** The queue view looks for new env queues at most this often (on its own requests, no timer). */
export const QUEUE_VIEW_REFRESH_MS = 5_000;

/** Paused tasks listed by `GET /v1/admin/paused-tasks` unless `limit` says otherwise, and the most it may say. */
export const ADMIN_PAUSED_LIST_DEFAULT = 100;
export const ADMIN_PAUSED_LIST_MAX = 10_000;
