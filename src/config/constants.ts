/**
 * Fixed constants of evalpool that are not meant to be tuned per deployment. Tunables are
 * `EVALPOOL_*` variables in `sections/`; these are the rules of the subnet and of the pool.
 */

/** An hour and a day in milliseconds, for the durations below and their users. */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

// Scoring and slots.

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

/**
 * Default of EVALPOOL_SLOTS_MAX, the most slots a miner gets: a miner's declared
 * `max_concurrent_episodes` above the cap is cut to it (with a warning).
 */
export const SLOTS_MAX_DEFAULT = 32;

/** Window of attempts the slot adjuster looks at. */
export const SLOT_HEALTH_WINDOW_SECONDS = 3_600;

// Postgres.

/** EVALPOOL_DATABASE_URL's default: the local server's superuser, database evalpool (also the example the CLI's hints give). */
export const DATABASE_URL_DEFAULT = 'postgres://postgres@127.0.0.1:5432/evalpool';
/** How many databases a Redis server has unless its `databases` setting says otherwise (indexes 0 to this − 1). */
export const REDIS_DATABASES_DEFAULT = 16;
/** Time to get a Postgres connection before a query or a command fails (Postgres down). */
export const DATABASE_CONNECT_TIMEOUT_MS = 5_000;
/** Longest one SQL statement may run, cancelled by the server (EVALPOOL_DATABASE_STATEMENT_TIMEOUT_MS). */
export const DATABASE_STATEMENT_TIMEOUT_MS = 60_000;
/**
 * The client stops waiting this long after the statement timeout: a server that cannot even say
 * it cancelled the statement is unreachable (a half-open connection), and no caller waits forever.
 */
export const DATABASE_READ_TIMEOUT_MARGIN_MS = 5_000;

// Chain (miner sources, commitments, validator). Tunables among these are the defaults of the
// EVALPOOL_CHAIN_* / EVALPOOL_VALIDATOR_* variables in sections/chain.ts.

/** Host suffix of Basilica deployments: `https://<deployment-id>` + this. */
export const BASILICA_ENDPOINT_SUFFIX = '.deployments.basilica.ai';

/**
 * A miner hotkey as a miner source gives it: 1-128 of letters, digits, `.` `_` `-` (SS58 addresses
 * from the chain fit it). The static miners file enforces it; the admin API refuses anything else.
 */
export const HOTKEY_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;
/** A miner's revision as written in a commitment or the static miners file: 1-64 of letters, digits, `.` `_` `-`. */
export const REVISION_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
/** A raw X25519 key (the backend key of encrypted commitments, private or public) as 64 hex characters. */
export const X25519_KEY_HEX_PATTERN = /^[0-9a-fA-F]{64}$/;

/**
 * Target block time of subtensor in ms, used by the static source's block clock to derive a block
 * number from the clock when there is no chain.
 */
export const BLOCK_TIME_MS = 12_000;
/**
 * Genesis of the static source's block clock: block 0 starts at 2024-01-01T00:00:00Z, so block
 * numbers are positive, grow by one every 12 s, and read the same on every replica.
 */
export const STATIC_CLOCK_GENESIS_MS = Date.UTC(2024, 0, 1);

/**
 * The static miners file is watched (its folder, so that editors that replace it by a rename are
 * seen); events are gathered for this long before the file is compared, as a save comes in bursts.
 */
export const MINERS_FILE_DEBOUNCE_MS = 200;
/** When the folder cannot be watched (no inotify left, a folder that does not exist yet), the file is polled this often. */
export const MINERS_FILE_POLL_MS = 5_000;
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
/**
 * The validator sets its weights again when its last setting is this many blocks old (one tempo),
 * far below the runtime's default `ActivityCutoff` (5000 blocks).
 */
export const VALIDATOR_RESUBMIT_BLOCKS = 360;
/** Largest `commit` of `commit_timelocked_weights` the chain accepts (subtensor's MAX_CRV3_COMMIT_SIZE_BYTES). */
export const MAX_TIMELOCKED_COMMIT_BYTES = 5_000;
/** Mortality of the validator's extrinsics, in blocks. */
export const VALIDATOR_ERA_PERIOD = 64;

// Miners: the HTTP client of each miner endpoint and its circuit breaker. The tunables among
// these are the defaults of EVALPOOL_* variables in sections/worker.ts; the library classes fall
// back to them when used without a config (tests, `evalpool eval`).

/** Time to establish a TCP (and TLS) connection to a miner (EVALPOOL_MINER_CONNECT_TIMEOUT_MS). */
export const MINER_CONNECT_TIMEOUT_MS = 3_000;
/** Whole `/reset` request, headers and body (docs/design.md: 5 s; EVALPOOL_MINER_RESET_TIMEOUT_MS). */
export const MINER_RESET_TIMEOUT_MS = 5_000;
/** Whole `/act` request: the per-step action timeout (docs/design.md: 0.5 s; EVALPOOL_ACTION_TIMEOUT_MS). */
export const MINER_ACTION_TIMEOUT_MS = 500;
/**
 * Largest response body read from a miner (EVALPOOL_MINER_MAX_RESPONSE_BYTES). The largest
 * legitimate answer of a built-in env is 231 bytes (an `/act` of 2 floats of 24 characters,
 * indented; `/reset`'s body is ignored, the subnet template's is 159 bytes), so this leaves 70×
 * room. It also bounds the CPU one answer costs the worker's loop: parsing and validating 16 KiB
 * takes under a millisecond, 1 MiB of small keys 0.8 s, which would stall every other episode's
 * deadline (see loop-stall.ts).
 */
export const MINER_MAX_RESPONSE_BYTES = 16_384;
/** The highest EVALPOOL_MINER_MAX_RESPONSE_BYTES accepted: an answer of this size costs ~150 ms to parse. */
export const MINER_MAX_RESPONSE_BYTES_LIMIT = 1_048_576;
/** Idle keep-alive connections are closed after this (below Node's 5 s server default, to avoid racing it). */
export const MINER_KEEP_ALIVE_TIMEOUT_MS = 4_000;
/**
 * Most connections one worker process holds to one miner (EVALPOOL_MINER_MAX_CONNECTIONS). A
 * request beyond it waits in our own pool, which must never be blamed on the miner: the config
 * refuses EVALPOOL_SLOTS_MAX above it, and a request that times out there is `queued` (ours).
 */
export const MINER_MAX_CONNECTIONS = 64;
/** A miner client unused for this long has its connections closed (its breaker state is kept while not closed). */
export const MINER_CLIENT_IDLE_MS = 300_000;
/** How often the client registry looks for idle clients. */
export const MINER_CLIENT_SWEEP_INTERVAL_MS = 60_000;

/** Whole `GET /health` probe of a miner's declared concurrency: a slow or hanging one counts as 1. */
export const MINER_HEALTH_TIMEOUT_MS = 2_000;
/** Largest `/health` body read; a declaration is a few dozen bytes. */
export const MINER_HEALTH_MAX_BYTES = 16_384;
/**
 * How often the leader looks for miners to probe: a new miner, or one whose endpoint changed, is
 * probed within this (until then it gets one episode at a time).
 */
export const MINER_DECLARATION_CHECK_MS = 5_000;
/** Each miner's declaration is probed again after this, so that a change is seen (and flapping is slow). */
export const MINER_DECLARATION_REFRESH_MS = 300_000;
/** Probes under way at once: 256 hanging miners cost the leader 256 / 32 × 2 s per refresh. */
export const MINER_DECLARATION_PROBES_AT_ONCE = 32;

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
/**
 * A stall of this process's event loop (SIGSTOP, a long GC pause, CPU throttling, a VM freeze) at
 * least this long, reaching into the last this-many ms before a deadline, makes the timeout the
 * worker's fault (`worker_error`), not the other side's: an answer may be waiting unread in the
 * socket when the late timer fires. Shorter stalls are ordinary loop jitter under load.
 */
export const WORKER_STALL_MS = 250;
/**
 * A deadline that comes due right after such a stall waits this much longer (a few turns of the
 * loop) before it fires, so that an answer that came during the stall is read, not abandoned.
 */
export const STALL_GRACE_MS = 50;
/** How often the event-loop watch turns; its resolution, well below {@link WORKER_STALL_MS}. */
export const LOOP_WATCH_INTERVAL_MS = 20;
/**
 * Evidence that settles an unattributed env fault at a task's last attempt (container-outcome.ts,
 * rule 3; `playedByAnotherMiner`): episodes of the same env and task id that other miners played
 * out within this window. Results carry no env image identity, so age bounds how long episodes of
 * an older image (a new image broken on that task) can count against miners: a day. Every active
 * miner plays a listed id around the time it enters the list, so honest evidence is hours old
 * when an adversary's task reaches its last attempt.
 */
export const UNATTRIBUTED_EVIDENCE_WINDOW_MS = DAY_MS;
/** Distinct other hotkeys whose played-out episodes the evidence needs: one sybil is not enough. */
export const UNATTRIBUTED_EVIDENCE_MIN_MINERS = 2;
/** First delay before an unattributed fault whose evidence lookup failed (Postgres away) is decided again. */
export const EVIDENCE_LOOKUP_BASE_DELAY_MS = 1_000;
/** First delay before a task released after a `worker_error` (not a shutdown) is tried again. */
export const WORKER_ERROR_BASE_DELAY_MS = 1_000;
/**
 * Longest a result write's fence (the worker's lock check in Redis, asked inside the batch's
 * transaction) may take before its record fails alone: a hanging fence must not outlast the
 * batch's own timeout (`EVALPOOL_RESULT_WRITE_TIMEOUT_MS`; the fence gets at most half of it).
 */
export const RESULT_FENCE_TIMEOUT_MS = 2_000;
/** Result flushes a writer runs at once (a batch waits while this many are in flight). */
export const RESULT_WRITER_MAX_IN_FLIGHT = 2;
/**
 * A result writer's transaction idle this long (its process frozen between two statements) is
 * ended by Postgres, releasing the advisory locks on result identities it holds: the next writer
 * of those identities proceeds, and the frozen one's write fails (its outcome is parked and
 * written again). Far above a healthy gap (a Redis lock check).
 */
export const RESULT_WRITER_IDLE_TRANSACTION_MS = 5_000;
/**
 * Longest message kept with an attempt (result and attempt rows, a paused task's reason). Messages
 * may quote what a miner or an env sent, so they are cut here rather than stored at any size.
 */
export const MAX_OUTCOME_MESSAGE_CHARS = 1_000;

// The CLI's output.

/**
 * Log level of a one-shot command that prints a result (`tasks stats`, `miners show`, …) when
 * `EVALPOOL_LOG_LEVEL` is unset: its output is the answer and a failure is one `evalpool: …`
 * sentence, so info and warn lines ("miners file loaded", "redis connection error") would only
 * surround it. Long-running commands (serve, worker, demo, validator) log at the variable's default.
 */
export const PRINTING_LOG_LEVEL = 'error';

// Local evaluation and the demo miner (`evalpool eval`, `evalpool demo-miner`): defaults of their flags.

/** Episodes of `evalpool eval`. */
export const LOCAL_EVAL_EPISODES = 20;
/** Concurrent episodes of `evalpool eval`. */
export const LOCAL_EVAL_CONCURRENCY = 1;
/** The demo miner's port when none is given. */
export const DEMO_MINER_PORT = 8080;
/**
 * Episodes the demo miner declares it serves at once (`/health` `max_concurrent_episodes`): its
 * policies keep no per-episode state but the env, so any number would do, but the backend cuts a
 * declaration above EVALPOOL_SLOTS_MAX, with a warning. So it declares that cap's default (and the
 * demo the cap it runs with: demo/demo.ts).
 */
export const DEMO_MINER_MAX_CONCURRENT_EPISODES = SLOTS_MAX_DEFAULT;
/** Episodes whose env the demo miner remembers (oldest forgotten first): a bound, not a limit. */
export const DEMO_MINER_REMEMBERED_EPISODES = 10_000;
/**
 * Highest first port `evalpool demo --miner-ports` accepts: the demo miners take it and the ports
 * after it, which stay under 65535 for any sensible number of demo miners.
 */
export const DEMO_MINER_PORTS_MAX_FIRST = 65_000;
/** How far the example in a demo port-clash message moves the demo miners: `--miner-ports <file's first + this>`. */
export const DEMO_MINER_PORTS_EXAMPLE_SHIFT = 100;
/** The example first port of that message when the shifted one would pass {@link DEMO_MINER_PORTS_MAX_FIRST}. */
export const DEMO_MINER_PORTS_EXAMPLE_FALLBACK = 19_101;

// Sampling lists.

/**
 * Reads of a sampling list before a sync or a rotation gives up, when other rotations keep
 * landing between its read and its write.
 */
export const SAMPLING_LIST_WRITE_ATTEMPTS = 3;

// Pool: BullMQ queues, reconciliation and the paused-task cleanup. Settings are EVALPOOL_*
// variables (sections/scheduler.ts and sections/slots.ts); these are the pool's own rules.

/**
 * BullMQ fails a job that stalled more than this many times. A worker death must never pause a
 * task (docs/design.md: worker_error goes back to pending and is not an attempt), so it is made
 * unreachable. Every party that runs BullMQ's stalled check must use it (see `poolWorkerOptions`).
 */
export const POOL_MAX_STALLED_COUNT = 1_000_000_000;
/**
 * Reconciliation reads all results again when the last full read is older than this (healing
 * an index that learnt of results in other ways, or of deleted results). Correctness never
 * depends on it: every candidate is checked against Postgres before creation.
 */
export const RESULT_INDEX_RELOAD_MS = HOUR_MS;
/** Failed jobs removed per `queue.clean` call by the paused-task cleanup. */
export const PAUSED_CLEAN_BATCH = 1_000;
/** Most `queue.clean` calls per queue in one cleanup run (a budget; the next run goes on). */
export const PAUSED_CLEAN_MAX_CALLS_PER_QUEUE = 100;
/** The BullMQ job name of a task (the queue says which env). */
export const TASK_JOB_NAME = 'task';

// Service assembly (`serve`, `worker`, `demo`) and its shutdown.

/**
 * How long a process waits for a Redis connection to be ready at start (`serve`, `worker`, the
 * scheduler's and the pool's connections, the `tasks` commands) before giving up with a clear error.
 */
export const REDIS_START_TIMEOUT_MS = 5_000;
/**
 * A signal this soon after the first is taken as the same request: Ctrl-C under `npm start`
 * reaches the process twice, from the terminal and forwarded by npm.
 */
export const REPEATED_SIGNAL_WINDOW_MS = 1_000;
/** What the demo's `serve` may use of the shutdown grace: the rest is for the demo miners after it. */
export const DEMO_MINERS_STOP_RESERVE_MS = 1_000;

// Read API. Passed in through `ApiDeps` where tests and benches override them.

/**
 * How stale a cached read may be. At most this often per process, a request to a cached resource
 * (`/v1/weights/latest`, `/v1/scores/latest`) triggers a one-row probe of Postgres to see whether a
 * newer row landed (the request itself is answered from memory), so new weights are visible within
 * this delay; and the read API and `/metrics` of one process share a pool snapshot taken this
 * recently, so that a dashboard refresh or a scrape costs at most one snapshot per period.
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

// Admin API and queue view.

/** How long a queue-view session cookie (`POST /v1/admin/session`) stays valid. */
export const ADMIN_SESSION_SECONDS = 8 * 3_600;
/** Longest an admin action may take (Redis or Postgres calls) before it answers 503. */
export const ADMIN_ACTION_TIMEOUT_MS = 15_000;
/** The queue view looks for new env queues at most this often (on its own requests, no timer). */
export const QUEUE_VIEW_REFRESH_MS = 5_000;
/** Paused tasks listed by `GET /v1/admin/paused-tasks` unless `limit` says otherwise. */
export const ADMIN_PAUSED_LIST_DEFAULT = 100;
/** The largest `limit` of `GET /v1/admin/paused-tasks`. */
export const ADMIN_PAUSED_LIST_MAX = 10_000;

// Dashboard (`GET /`). The page has nothing an operator must tune; `?refresh=<seconds>` on the
// page URL overrides the refresh period.

/** How often the page reloads its data while the tab is visible. */
export const DASHBOARD_REFRESH_MS = 5_000;
/**
 * `Cache-Control` max-age of the page's assets. Their URLs carry a hash of their content, so a
 * deploy changes the URL and a year-long cache is safe.
 */
export const DASHBOARD_ASSET_MAX_AGE_SECONDS = 31_536_000;
/** Where the assets are served; the content hash follows as the next path segment. */
export const DASHBOARD_ASSET_PREFIX = '/dashboard';

// Metrics (`/metrics`): histogram buckets (seconds) and the bounds of a scrape. Passed in through
// options where a caller may override them; tests do.

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

// Container env family: the manager, its Docker and HTTP calls. Durations in milliseconds unless
// named otherwise. The socket is EVALPOOL_DOCKER_SOCKET.

/** Longest time from "a container is needed" to "it answered its health check": remove the old one, create, start, wait. */
export const CONTAINER_START_TIMEOUT_MS = 60_000;
/** Timeout of one `GET /health`. */
export const CONTAINER_HEALTH_TIMEOUT_MS = 2_000;
/** How often a starting container is asked for its health. */
export const CONTAINER_HEALTH_POLL_MS = 100;
/** How often running containers are health-checked between tasks (a dead one is restarted). */
export const CONTAINER_HEALTH_INTERVAL_MS = 30_000;
/** Timeout of each Docker Engine API call (create, start, inspect, remove, list, logs, ping). */
export const DOCKER_CALL_TIMEOUT_MS = 15_000;
/** Sockets to the Docker Engine at once (one agent per engine object). */
export const DOCKER_MAX_SOCKETS = 16;
/** Idle keep-alive connections to the containers are closed after this. */
export const CONTAINER_KEEP_ALIVE_TIMEOUT_MS = 4_000;
/** Connections to the containers at once, all of them together (one agent for every container). */
export const CONTAINER_HTTP_CONNECTIONS = 64;
/** A stopped container gets this long after SIGTERM before the engine kills it, in seconds. */
export const CONTAINER_STOP_GRACE_SECONDS = 2;
/**
 * A `POST /call` is given the episode's budget as `timeout`; the host waits this much longer
 * for the answer before it gives up and recycles the container.
 */
export const CONTAINER_CALL_GRACE_MS = 5_000;
/** Largest response accepted from an env container; a result is a few hundred bytes. */
export const CONTAINER_MAX_RESPONSE_BYTES = 1_048_576;
/** Episode length of a container env whose sampling definition has no `max_timesteps`. */
export const CONTAINER_DEFAULT_MAX_TIMESTEPS = 1_000;
/**
 * Episodes one env container serves at once unless its sampling definition says otherwise
 * (`max_concurrency`): the subnet's Actors keep one simulator per env id and are not safe for
 * concurrent calls.
 */
export const CONTAINER_DEFAULT_MAX_CONCURRENCY = 1;
/** Most containers of one image a worker runs when the sampling definitions do not say (`replicas`). */
export const CONTAINER_DEFAULT_MAX_REPLICAS = 16;
/**
 * How often a container worker looks for env containers of its pool left by workers gone for
 * good (`EVALPOOL_CONTAINER_SWEEP_INTERVAL_MS`).
 */
export const CONTAINER_SWEEP_INTERVAL_MS = 60_000;
/**
 * A container is swept only once its worker has been seen without a heartbeat for this long, and
 * it is at least this old (`EVALPOOL_CONTAINER_SWEEP_GRACE_MS`): far beyond a heartbeat's expiry
 * (3 beats), so that a worker stalled or cut from Redis for a while keeps its containers.
 */
export const CONTAINER_SWEEP_GRACE_MS = 300_000;
/** Lines of a container's log quoted when it fails to start. */
export const CONTAINER_LOG_TAIL_LINES = 20;

// Retention (the leader's cleanup of append-only tables).

/** Period of the retention task; deleting old rows is not urgent. */
export const RETENTION_INTERVAL_MS = HOUR_MS;
/** Rows deleted per statement, so that a large backlog never holds locks for long. */
export const RETENTION_BATCH_ROWS = 10_000;
/** Statements per table in one run (a budget; the next run goes on). */
export const RETENTION_MAX_BATCHES = 50;

// Worker registry (workers announce themselves and heartbeat in Redis).

/** Default period of a worker's heartbeat (`EVALPOOL_WORKER_HEARTBEAT_MS`). */
export const WORKER_HEARTBEAT_MS = 5_000;
/**
 * Heartbeats a worker may miss before it counts as gone: its liveness key lives this many
 * periods. One missed beat (but not all) reads as stale.
 */
export const WORKER_HEARTBEAT_MISSES = 3;
/** How long a gone worker stays listed (so that operators see what disappeared), then it is forgotten. */
export const WORKER_GONE_RETENTION_MS = HOUR_MS;
/** Finished attempts `GET /v1/miners/{uid}` lists per miner (newest first): a bounded history. */
export const MINER_RECENT_ATTEMPTS = 20;
