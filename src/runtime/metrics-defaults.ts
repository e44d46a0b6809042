/**
 * Defaults of the metrics (`/metrics`) that are not configuration variables: histogram buckets
 * (seconds) and the bounds of a scrape. Passed in through options where a caller may override
 * them; tests do.
 */

/** Whole evaluations: a no-op takes ~0, a MuJoCo episode against a live miner seconds to minutes. */
export const EPISODE_DURATION_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600] as const;

/** One `POST /act` round trip; the default action timeout is 0.5 s, so the top buckets mean "late". */
export const ACTION_LATENCY_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;

/** One leader tick (rotation + top-up); the target median is 250 ms at 256 miners × 8 envs. */
export const TICK_DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** One HTTP request to the API; cached reads answer in well under a millisecond. */
export const HTTP_DURATION_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;

/**
 * Longest a scrape waits for one source (pool snapshot, latest weights): a source that does not
 * answer in time is left out of that scrape and counted in `evalpool_scrape_errors_total`, well
 * within Prometheus' default 10 s scrape timeout.
 */
export const METRICS_SOURCE_TIMEOUT_MS = 2_000;
