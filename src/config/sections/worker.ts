import { integer, list, optionalText, text } from '../variable.ts';

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
    doc: 'A result insert not confirmed within this time counts as failed: the outcome is parked in the task and written again later.',
  }),
  resultRetryMaxMs: integer('EVALPOOL_RESULT_RETRY_MAX_MS', {
    default: 60_000,
    min: 100,
    max: 3_600_000,
    doc: 'Longest delay between two tries of writing a parked outcome while Postgres is unavailable (exponential from 500 ms).',
  }),
  actionTimeoutMs: integer('EVALPOOL_ACTION_TIMEOUT_MS', {
    default: 500,
    min: 10,
    max: 60_000,
    doc: "Read timeout of each `POST /act`; a late action fails the episode.",
  }),
  resetTimeoutMs: integer('EVALPOOL_RESET_TIMEOUT_MS', {
    default: 5_000,
    min: 10,
    max: 120_000,
    doc: 'Timeout of `POST /reset`; a late reset counts as miner_unavailable.',
  }),
  connectTimeoutMs: integer('EVALPOOL_CONNECT_TIMEOUT_MS', {
    default: 2_000,
    min: 10,
    max: 60_000,
    doc: 'TCP/TLS connect timeout towards miners.',
  }),
  episodeTimeoutMs: integer('EVALPOOL_EPISODE_TIMEOUT_MS', {
    default: 300_000,
    min: 100,
    max: 86_400_000,
    doc: 'Longest a whole episode may take.',
  }),
  minerMaxResponseBytes: integer('EVALPOOL_MINER_MAX_RESPONSE_BYTES', {
    default: 1_048_576,
    min: 256,
    max: 268_435_456,
    doc: 'Largest response body accepted from a miner.',
  }),
  circuitFailureThreshold: integer('EVALPOOL_CIRCUIT_FAILURE_THRESHOLD', {
    default: 5,
    min: 1,
    max: 10_000,
    doc: "Consecutive miner_unavailable attempts that open a miner's circuit breaker.",
  }),
  circuitCooldownMs: integer('EVALPOOL_CIRCUIT_COOLDOWN_MS', {
    default: 5_000,
    min: 10,
    max: 86_400_000,
    doc: 'First cool-down of an open circuit before it half-opens; doubles on each re-open.',
  }),
  circuitMaxCooldownMs: integer('EVALPOOL_CIRCUIT_MAX_COOLDOWN_MS', {
    default: 300_000,
    min: 10,
    max: 86_400_000,
    doc: 'Longest cool-down of an open circuit.',
  }),
  dockerSocket: text('EVALPOOL_DOCKER_SOCKET', {
    default: '/var/run/docker.sock',
    doc: 'Docker Engine API socket for container environments (podman works too).',
  }),
};
