/**
 * The Prometheus instruments of one evalpool process, on a registry the service assembly creates
 * and passes in (never prom-client's global one). Components take an {@link EvalpoolMetrics} as an
 * optional dependency and record nothing without it.
 *
 * Labels are bounded by construction: `env` (the sampling lists), `error_class` (five classes),
 * `worker` (the worker registry, which forgets a gone worker after an hour), `uid` (≤ 256 per subnet),
 * `state` (three pool states), `hotkey` (the subnet's miners, ≤ 256), `task` (the leader's
 * periodic tasks), `source` (the scrape sources), and for HTTP the method, the route *pattern*
 * and the status code. Never a task id, a raw path or a free-form message.
 *
 * Two kinds of series: *recorded* ones, updated where things happen (worker, evaluator,
 * scheduler, HTTP middleware), and *scrape-time* ones (pool, circuits, weights), set by a
 * {@link MetricsSource} right before each scrape.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, type Registry } from 'prom-client';
import {
  ACTION_LATENCY_BUCKETS_SECONDS,
  EPISODE_DURATION_BUCKETS_SECONDS,
  HTTP_DURATION_BUCKETS_SECONDS,
  TICK_DURATION_BUCKETS_SECONDS,
} from '../config/constants.ts';

import { buildInfo } from './build-info.ts';

export { Registry } from 'prom-client';

/** Every evalpool instrument, typed by its label names. */
export interface EvalpoolMetrics {
  readonly registry: Registry;

  /** Always 1, labelled with what this process runs (version, Node.js): `* on() group_left(version)` joins it. */
  readonly buildInfo: Gauge<'version' | 'node_version'>;
  /** Scrape time: each miner's weight in the latest published weights, by uid. */
  readonly minerWeight: Gauge<'uid'>;
  /** Scrape time: each miner's coverage of each scored env's current list (latest scoring pass). */
  readonly minerCoverage: Gauge<'uid' | 'env'>;
  /** Scrape time: each miner's success rate in each scored env (latest scoring pass; absent with no result). */
  readonly minerSuccessRate: Gauge<'uid' | 'env'>;

  /** Scrape time: tasks in the pool by env and state (pending, assigned, paused). */
  readonly tasks: Gauge<'env' | 'state'>;
  /** Scrape time: a miner's slots (the cap on its tasks in flight). */
  readonly minerSlots: Gauge<'hotkey'>;
  /** Scrape time: a miner's tasks in flight (pending + assigned, all envs). */
  readonly minerInFlight: Gauge<'hotkey'>;
  /** Scrape time: 1 while a miner's circuit breaker is open (published by a worker), else 0. */
  readonly minerCircuitOpen: Gauge<'hotkey'>;
  /** Scrape time: seconds since the latest weights row was published. */
  readonly weightsAge: Gauge;
  /** Scrape time: block number of the latest weights row. */
  readonly weightsLastBlock: Gauge;
  /** Scrape sources that failed or timed out (their series are left out of that scrape). */
  readonly scrapeErrors: Counter<'source'>;
  /** Scrape time: live workers consuming each env (0 for an env with a sampling list and no live worker). */
  readonly workersLive: Gauge<'env'>;
  /** Scrape time: workers of the registry by state (live, stale, gone). */
  readonly workers: Gauge<'state'>;
  /** Scrape time: seconds since each registered worker's last heartbeat. */
  readonly workerLastSeen: Gauge<'worker'>;

  /** Worker: finished attempts by env and class (success and failure are the scored ones). */
  readonly taskAttempts: Counter<'env' | 'error_class'>;
  /** Worker: finished attempts by miner hotkey and class (why a miner's score is low, at a glance). */
  readonly minerAttempts: Counter<'hotkey' | 'error_class'>;
  /** Worker: tasks that failed for good (attempts exhausted, or unrecoverable) and are now paused. */
  readonly tasksPaused: Counter<'env'>;
  /** Worker: wall time of each evaluation. */
  readonly episodeDuration: Histogram<'env' | 'error_class'>;
  /** Evaluator: each `POST /act` round trip to a miner. */
  readonly minerActionLatency: Histogram<'env'>;

  /** Scheduler leader: duration of each tick (rotation + top-up). */
  readonly schedulerTickDuration: Histogram;
  /** Scheduler leader: periodic task runs that failed. */
  readonly schedulerTaskFailures: Counter<'task'>;
  /** Scheduler leader: sampling-list rotations applied. */
  readonly rotations: Counter<'env'>;
  /** 1 while this process holds the scheduler lease, else 0. */
  readonly schedulerLeader: Gauge;

  /** API: requests by method, route pattern and status. */
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  /** API: request durations by method, route pattern and status. */
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
}

/**
 * Sets scrape-time series from live state, right before a scrape. The scraper bounds each
 * refresh by a timeout and, when it fails, calls `clear` (so that no stale value is served) and
 * counts the failure in `evalpool_scrape_errors_total{source=name}`.
 */
export interface MetricsSource {
  /** Names the source in `evalpool_scrape_errors_total` and in logs. */
  readonly name: string;
  refresh(): Promise<void>;
  /** Removes every series this source sets. */
  clear(): void;
}

/** Options of {@link createMetrics}. */
export interface CreateMetricsOptions {
  /** Also collect prom-client's process and Node.js metrics (`process_*`, `nodejs_*`); default true. */
  readonly processMetrics?: boolean;
  /**
   * Whether this process runs queue consumers (`evalpool worker`, or `serve` with inline workers);
   * default true. Without them the worker-side instruments (attempts, paused tasks, episode and
   * action durations) are still created, so that callers need no check, but not registered: a
   * `serve` without workers exposes none of their series, rather than HELP/TYPE lines with no
   * sample or a set of zeros. Zeros there would keep `absent(evalpool_task_attempts_total)` quiet
   * while no worker is scraped at all, and fire a per-instance "no successful attempt" alert
   * (`rate(...{error_class="success"}[15m]) == 0`) on every serve forever; those series belong to
   * the processes that run the episodes, which start them at 0 (task-worker.ts).
   */
  readonly workers?: boolean;
  /**
   * Whether this process serves the API and may lead the scheduler (`serve`, `demo`); default
   * true. An `evalpool worker` passes false: the scrape-time views (tasks, miners, weights, the
   * worker registry), the scheduler's and the HTTP series are then created unregistered, the
   * mirror image of `workers`, so that a worker's /metrics shows only what it measures (plus
   * `evalpool_scheduler_leader` at 0: it never leads).
   */
  readonly serve?: boolean;
}

/** Creates every evalpool instrument on `registry` (plus the process metrics, unless disabled). */
export function createMetrics(registry: Registry, options: CreateMetricsOptions = {}): EvalpoolMetrics {
  const registers = [registry];
  const workerRegisters = (options.workers ?? true) ? registers : [];
  const serveRegisters = (options.serve ?? true) ? registers : [];
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const metrics: EvalpoolMetrics = {
    registry,
    buildInfo: new Gauge({
      name: 'evalpool_build_info',
      help: 'Always 1; the labels say which evalpool version and Node.js this process runs.',
      labelNames: ['version', 'node_version'],
      registers,
    }),
    minerWeight: new Gauge({
      name: 'evalpool_miner_weight',
      help: "A miner's weight in the latest published weights (0 to 1), by uid, at scrape time.",
      labelNames: ['uid'],
      registers: serveRegisters,
    }),
    minerCoverage: new Gauge({
      name: 'evalpool_miner_coverage',
      help: "A miner's coverage of a scored environment's current sampling list (0 to 1) in the latest scoring pass, at scrape time.",
      labelNames: ['uid', 'env'],
      registers: serveRegisters,
    }),
    minerSuccessRate: new Gauge({
      name: 'evalpool_miner_success_rate',
      help: "A miner's success rate in a scored environment (0 to 1) in the latest scoring pass, at scrape time; absent while it has no result there.",
      labelNames: ['uid', 'env'],
      registers: serveRegisters,
    }),
    tasks: new Gauge({
      name: 'evalpool_tasks',
      help: 'Tasks in the pool by environment and state (pending, assigned, paused), at scrape time.',
      labelNames: ['env', 'state'],
      registers: serveRegisters,
    }),
    minerSlots: new Gauge({
      name: 'evalpool_miner_slots',
      help: "A miner's slots: the cap on its tasks in flight, at scrape time.",
      labelNames: ['hotkey'],
      registers: serveRegisters,
    }),
    minerInFlight: new Gauge({
      name: 'evalpool_miner_in_flight_tasks',
      help: "A miner's tasks in flight (pending + assigned, all environments), at scrape time.",
      labelNames: ['hotkey'],
      registers: serveRegisters,
    }),
    minerCircuitOpen: new Gauge({
      name: 'evalpool_miner_circuit_open',
      help: "1 while a miner's circuit breaker is open (as published by the workers in Redis), else 0; at scrape time.",
      labelNames: ['hotkey'],
      registers: serveRegisters,
    }),
    weightsAge: new Gauge({
      name: 'evalpool_weights_age_seconds',
      help: 'Seconds since the latest weights row was published; absent before the first.',
      registers: serveRegisters,
    }),
    weightsLastBlock: new Gauge({
      name: 'evalpool_weights_last_block',
      help: 'Block number of the latest weights row; absent before the first.',
      registers: serveRegisters,
    }),
    scrapeErrors: new Counter({
      name: 'evalpool_scrape_errors_total',
      help: 'Scrape-time sources that failed or timed out; their series were left out of that scrape.',
      labelNames: ['source'],
      registers: serveRegisters,
    }),
    workersLive: new Gauge({
      name: 'evalpool_workers_live',
      help: 'Live workers (heartbeating) consuming each environment, at scrape time; 0 means its tasks wait for nobody.',
      labelNames: ['env'],
      registers: serveRegisters,
    }),
    workers: new Gauge({
      name: 'evalpool_workers',
      help: 'Workers of the registry by state (live, stale, gone), at scrape time.',
      labelNames: ['state'],
      registers: serveRegisters,
    }),
    workerLastSeen: new Gauge({
      name: 'evalpool_worker_last_seen_seconds',
      help: "Seconds since each registered worker's last heartbeat, at scrape time (gone workers stay listed for an hour).",
      labelNames: ['worker'],
      registers: serveRegisters,
    }),

    taskAttempts: new Counter({
      name: 'evalpool_task_attempts_total',
      help: 'Finished attempts by environment and error class (success and failure are scored; the others retry or go back to pending).',
      labelNames: ['env', 'error_class'],
      registers: workerRegisters,
    }),
    minerAttempts: new Counter({
      name: 'evalpool_miner_attempts_total',
      help: 'Finished attempts by miner hotkey and error class (every class from 0 once a worker of this process saw the miner).',
      labelNames: ['hotkey', 'error_class'],
      registers: workerRegisters,
    }),
    tasksPaused: new Counter({
      name: 'evalpool_tasks_paused_total',
      help: 'Tasks that failed for good (attempts exhausted, or unrecoverable) and were paused.',
      labelNames: ['env'],
      registers: workerRegisters,
    }),
    episodeDuration: new Histogram({
      name: 'evalpool_episode_duration_seconds',
      help: 'Wall time of each evaluation by environment and error class.',
      labelNames: ['env', 'error_class'],
      buckets: [...EPISODE_DURATION_BUCKETS_SECONDS],
      registers: workerRegisters,
    }),
    minerActionLatency: new Histogram({
      name: 'evalpool_miner_action_latency_seconds',
      help: 'Round trip of each POST /act to a miner, by environment.',
      labelNames: ['env'],
      buckets: [...ACTION_LATENCY_BUCKETS_SECONDS],
      registers: workerRegisters,
    }),

    schedulerTickDuration: new Histogram({
      name: 'evalpool_scheduler_tick_duration_seconds',
      help: "Duration of the scheduler leader's ticks (rotation + top-up).",
      buckets: [...TICK_DURATION_BUCKETS_SECONDS],
      registers: serveRegisters,
    }),
    schedulerTaskFailures: new Counter({
      name: 'evalpool_scheduler_task_failures_total',
      help: "Failed runs of the scheduler leader's periodic tasks.",
      labelNames: ['task'],
      registers: serveRegisters,
    }),
    rotations: new Counter({
      name: 'evalpool_sampling_rotations_total',
      help: 'Sampling-list rotations applied by the scheduler leader, by environment.',
      labelNames: ['env'],
      registers: serveRegisters,
    }),
    schedulerLeader: new Gauge({
      name: 'evalpool_scheduler_leader',
      help: 'Whether this process holds the scheduler lease (1) or not (0).',
      registers,
    }),

    httpRequests: new Counter({
      name: 'evalpool_http_requests_total',
      help: 'API requests by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      registers: serveRegisters,
    }),
    httpRequestDuration: new Histogram({
      name: 'evalpool_http_request_duration_seconds',
      help: 'API request durations by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [...HTTP_DURATION_BUCKETS_SECONDS],
      registers: serveRegisters,
    }),
  };
  // A gauge without labels starts at 0; these are absent until their source sets them (a worker
  // process has no weights source, and 0 would read as "weights just published").
  metrics.weightsAge.remove();
  metrics.weightsLastBlock.remove();
  const build = buildInfo();
  metrics.buildInfo.set({ version: build.version, node_version: build.node }, 1);
  return metrics;
}
