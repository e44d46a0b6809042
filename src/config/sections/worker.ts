import {
  CIRCUIT_COOLDOWN_MS,
  CIRCUIT_COOLDOWN_MULTIPLIER,
  CIRCUIT_FAILURE_THRESHOLD,
  CIRCUIT_MAX_COOLDOWN_MS,
  CONTAINER_SWEEP_GRACE_MS,
  CONTAINER_SWEEP_INTERVAL_MS,
  EPISODE_TIMEOUT_MARGIN_MS,
  MINER_ACTION_TIMEOUT_MS,
  MINER_CONNECT_TIMEOUT_MS,
  MINER_MAX_CONNECTIONS,
  MINER_MAX_RESPONSE_BYTES,
  MINER_MAX_RESPONSE_BYTES_LIMIT,
  MINER_RESET_TIMEOUT_MS,
  WORKER_HEARTBEAT_MISSES,
  WORKER_HEARTBEAT_MS,
} from '../constants.ts';
import { integer, list, optionalInteger, optionalText, text } from '../variable.ts';

/** Workers and how they talk to miners and environment containers. */
export const worker = {
  inlineWorkers: integer('EVALPOOL_INLINE_WORKERS', {
    default: 0,
    min: 0,
    max: 256,
    doc: '`serve` also consumes the task queues in process with this concurrency per environment queue (0 = no inline workers; for small setups).',
  }),
  concurrency: integer('EVALPOOL_WORKER_CONCURRENCY', {
    default: 4,
    min: 1,
    max: 1_024,
    doc: 'Episodes one `evalpool worker` runs at once per environment queue (default of `--concurrency`).',
  }),
  envs: list('EVALPOOL_WORKER_ENVS', {
    default: '',
    pattern: /^[A-Za-z0-9_./-]+$/,
    rule: 'environment ids',
    doc: 'Environments a worker consumes (default of `--envs`); empty = every environment with a sampling list in Postgres that this worker can run.',
  }),
  workerId: optionalText('EVALPOOL_WORKER_ID', {
    pattern: /^[A-Za-z0-9_.-]{1,64}$/,
    rule: '1 to 64 letters, digits, dots, dashes or underscores',
    doc: 'Name recorded with each result; default `<hostname>-<pid>`.',
  }),
  heartbeatMs: integer('EVALPOOL_WORKER_HEARTBEAT_MS', {
    default: WORKER_HEARTBEAT_MS,
    min: 50,
    max: 600_000,
    doc: `Period of each worker's heartbeat in Redis (\`GET /v1/workers\`, \`evalpool workers\`); a worker silent for ${WORKER_HEARTBEAT_MISSES} periods is shown gone.`,
  }),
  metricsPort: optionalInteger('EVALPOOL_WORKER_METRICS_PORT', {
    min: 0,
    max: 65_535,
    doc: '`evalpool worker` serves its Prometheus metrics on `http://EVALPOOL_HOST:<port>/metrics` (default of `--metrics-port`; 0 picks a free port); unset = no metrics endpoint. `serve` and its inline workers serve theirs on the API port.',
  }),
  resultBatchRows: integer('EVALPOOL_RESULT_BATCH_ROWS', {
    default: 500,
    min: 1,
    max: 2_000,
    doc: 'The result writer sends one multi-row insert as soon as this many rows are waiting.',
  }),
  resultFlushMs: integer('EVALPOOL_RESULT_FLUSH_MS', {
    default: 20,
    min: 0,
    max: 10_000,
    doc: 'Longest a finished attempt waits for others to share its insert (0 = send at once).',
  }),
  resultWriteTimeoutMs: integer('EVALPOOL_RESULT_WRITE_TIMEOUT_MS', {
    default: 10_000,
    min: 100,
    max: 600_000,
    doc: "A result insert not confirmed within this time counts as failed: the outcome is parked in the task and written again later. A record's lock check in Redis (its fence) gets at most 2 s or half of this, and fails only its own record.",
  }),
  resultRetryMaxMs: integer('EVALPOOL_RESULT_RETRY_MAX_MS', {
    default: 60_000,
    min: 100,
    max: 3_600_000,
    doc: 'Longest delay between two tries of writing a parked outcome while Postgres is unavailable (exponential from 500 ms).',
  }),
  actionTimeoutMs: integer('EVALPOOL_ACTION_TIMEOUT_MS', {
    default: MINER_ACTION_TIMEOUT_MS,
    min: 10,
    max: 60_000,
    doc: 'Read timeout of each `POST /act` (headers and body); a late action fails the episode.',
  }),
  minerResetTimeoutMs: integer('EVALPOOL_MINER_RESET_TIMEOUT_MS', {
    default: MINER_RESET_TIMEOUT_MS,
    min: 10,
    max: 120_000,
    doc: 'Timeout of `POST /reset`; a late reset counts as miner_unavailable.',
  }),
  minerConnectTimeoutMs: integer('EVALPOOL_MINER_CONNECT_TIMEOUT_MS', {
    default: MINER_CONNECT_TIMEOUT_MS,
    min: 10,
    max: 60_000,
    doc: 'TCP/TLS connect timeout towards miners; a connection that cannot be made is miner_unavailable.',
  }),
  episodeTimeoutMs: optionalInteger('EVALPOOL_EPISODE_TIMEOUT_MS', {
    min: 100,
    max: 86_400_000,
    doc: `Longest a whole episode may take; unset = the reset timeout + the env's steps × the action timeout + ${EPISODE_TIMEOUT_MARGIN_MS / 1_000} s (a backstop never hit by a miner that answers in time). Running out fails the episode when at least half of it was spent waiting for the miner.`,
  }),
  minerMaxResponseBytes: integer('EVALPOOL_MINER_MAX_RESPONSE_BYTES', {
    default: MINER_MAX_RESPONSE_BYTES,
    min: 256,
    max: MINER_MAX_RESPONSE_BYTES_LIMIT,
    doc: "Largest response body accepted from a miner (an action is a few hundred bytes); a larger one is read no further and fails the call. It bounds the CPU one answer costs the worker's event loop.",
  }),
  minerMaxConnections: integer('EVALPOOL_MINER_MAX_CONNECTIONS', {
    default: MINER_MAX_CONNECTIONS,
    min: 1,
    max: 10_000,
    doc: 'Most connections one worker process holds to one miner; must be at least EVALPOOL_SLOTS_MAX, so that no request of a miner waits for one of our connections (that wait would be blamed on the miner).',
  }),
  circuitFailureThreshold: integer('EVALPOOL_CIRCUIT_FAILURE_THRESHOLD', {
    default: CIRCUIT_FAILURE_THRESHOLD,
    min: 1,
    max: 10_000,
    doc: "Consecutive miner_unavailable attempts (per miner endpoint, per worker process) that open the miner's circuit breaker: its tasks fail fast and the scheduler skips it.",
  }),
  circuitCooldownMs: integer('EVALPOOL_CIRCUIT_COOLDOWN_MS', {
    default: CIRCUIT_COOLDOWN_MS,
    min: 10,
    max: 86_400_000,
    doc: `First cool-down of an open circuit before one probe is let through (half-open); ×${CIRCUIT_COOLDOWN_MULTIPLIER} on each failed probe.`,
  }),
  circuitMaxCooldownMs: integer('EVALPOOL_CIRCUIT_MAX_COOLDOWN_MS', {
    default: CIRCUIT_MAX_COOLDOWN_MS,
    min: 10,
    max: 86_400_000,
    doc: 'Longest cool-down of an open circuit.',
  }),
  dockerSocket: text('EVALPOOL_DOCKER_SOCKET', {
    default: '/var/run/docker.sock',
    doc: 'Docker Engine API socket for container environments (podman works too).',
  }),
  containerSweepIntervalMs: integer('EVALPOOL_CONTAINER_SWEEP_INTERVAL_MS', {
    default: CONTAINER_SWEEP_INTERVAL_MS,
    min: 100,
    max: 3_600_000,
    doc: 'How often a container worker removes the env containers of its pool (Redis and queue prefix) left by workers gone for good.',
  }),
  containerSweepGraceMs: integer('EVALPOOL_CONTAINER_SWEEP_GRACE_MS', {
    default: CONTAINER_SWEEP_GRACE_MS,
    min: 1_000,
    max: 86_400_000,
    doc: "An env container is swept only when its worker has had no heartbeat for this long (as seen by the sweeping worker) and it is at least this old; a live or stale worker's never.",
  }),
};
