import type { Kysely } from 'kysely';
import { startHttpServer } from '../api/http-server.ts';
import { createMetricsApp } from '../api/metrics/metrics-app.ts';
import { MetricsScraper } from '../api/metrics/metrics-scraper.ts';
import { REDIS_START_TIMEOUT_MS } from '../config/constants.ts';
import type { Config } from '../config/schema.ts';
import { createConfiguredDatabase } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { getSamplingLists } from '../db/tables/sampling-lists.ts';
import { poolWorkerOptions } from '../pool/job-options.ts';
import { errorMessage } from '../runtime/error-message.ts';
import { Lifecycle } from '../runtime/lifecycle.ts';
import type { Logger } from '../runtime/logger.ts';
import { createMetrics, type EvalpoolMetrics, Registry } from '../runtime/metrics.ts';
import { closeRedis, createRedis } from '../runtime/redis.ts';
import { waitForRedis } from '../runtime/wait-ready.ts';
import { drainMs, hardTimeoutMs } from '../worker/consumer/consumer-timeouts.ts';
import { ContainerSweep } from '../worker/consumer/container-sweep.ts';
import { ResultWriter } from '../worker/consumer/result-writer.ts';
import { TaskWorker } from '../worker/consumer/task-worker.ts';
import { WorkerHeartbeat } from '../worker/consumer/worker-heartbeat.ts';
import { resolveWorkerId } from '../worker/worker-id.ts';
import { builtInEvaluation } from './built-in-evaluation.ts';
import type { WorkerServiceOptions } from './worker-service-options.ts';
import { WorkerSetupError } from './worker-setup-error.ts';

/** Running workers: the envs they consume, their id, and the lifecycle that stops them. */
export interface RunningWorkers {
  readonly envs: readonly string[];
  readonly workerId: string;
  readonly lifecycle: Lifecycle;
  /** `http://host:port/metrics` when the metrics endpoint is on. */
  readonly metricsUrl?: string;
}

/**
 * Starts `evalpool worker`: the metrics endpoint (when `EVALPOOL_WORKER_METRICS_PORT` is set),
 * Postgres, Redis, the batched result writer and one queue consumer per env, registered on a new
 * lifecycle (stopped in reverse: consumers drain first, then the writer flushes, then connections
 * close, and the metrics endpoint last). If anything fails to start, what did start is stopped.
 */
export async function startWorkerService(config: Config, logger: Logger, options: WorkerServiceOptions): Promise<RunningWorkers> {
  const lifecycle = new Lifecycle(logger);
  try {
    const port = config.worker.metricsPort;
    const metrics = options.metrics ?? (port === undefined ? undefined : createMetrics(new Registry(), { serve: false }));
    let metricsUrl: string | undefined;
    if (port !== undefined && metrics) {
      const app = createMetricsApp(new MetricsScraper({ metrics, logger }), logger);
      const server = lifecycle.add(await startHttpServer(app, config.server.host, port));
      metricsUrl = `${server.url}/metrics`;
      logger.info({ url: metricsUrl }, 'worker metrics endpoint is listening');
    }
    const db = createConfiguredDatabase(config.storage, config.storage.databasePoolSize, logger);
    lifecycle.defer('database', () => db.destroy());
    const attached = await attachWorkers(config, logger, lifecycle, db, { ...options, ...(metrics ? { metrics } : {}) });
    return { ...attached, lifecycle, ...(metricsUrl === undefined ? {} : { metricsUrl }) };
  } catch (error) {
    await lifecycle.stopAll(config.server.shutdownGraceMs);
    throw error;
  }
}

/**
 * Starts queue consumers on an existing lifecycle and database (what `serve` uses for its inline
 * workers). Registers, in order: the BullMQ connection, the result writer, the consumers.
 */
export async function attachWorkers(
  config: Config,
  logger: Logger,
  lifecycle: Lifecycle,
  db: Kysely<Database>,
  options: WorkerServiceOptions,
): Promise<{ envs: readonly string[]; workerId: string }> {
  for (const resource of options.resources ?? []) lifecycle.add(resource);
  await assertSchema(db);
  const envs = await resolveEnvs(db, options);
  const workerId = resolveWorkerId(config);
  if (options.prepare) {
    try {
      await options.prepare(envs);
    } catch (error) {
      throw new WorkerSetupError(errorMessage(error), { cause: error });
    }
  }

  const connection = createRedis(config.storage.redisUrl, 'bullmq', logger);
  lifecycle.defer('worker-redis', () => closeRedis(connection));
  await waitForRedis(connection, REDIS_START_TIMEOUT_MS);

  const writer = lifecycle.add(
    new ResultWriter({
      db,
      logger,
      maxBatchRows: config.worker.resultBatchRows,
      flushMs: config.worker.resultFlushMs,
      writeTimeoutMs: config.worker.resultWriteTimeoutMs,
    }),
  );
  const tasks = new TaskWorker({
    envs,
    concurrency: options.concurrency,
    evaluator: options.evaluator,
    writer,
    db,
    connection,
    prefix: config.storage.queuePrefix,
    workerId,
    workerOptions: poolWorkerOptions(config.scheduler),
    hardTimeoutMs: hardTimeoutMs(config, envs, options.limits),
    resultRetryMaxMs: config.worker.resultRetryMaxMs,
    drainMs: drainMs(config.server.shutdownGraceMs),
    logger,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  // Registered before the consumers so that it stops after they drained: a draining worker still shows.
  const heartbeat = lifecycle.add(
    new WorkerHeartbeat({
      redis: connection,
      prefix: config.storage.queuePrefix,
      workerId,
      envs,
      concurrency: options.concurrency,
      kind: options.kind ?? 'worker',
      heartbeatMs: config.worker.heartbeatMs,
      activity: () => ({ episodes: tasks.episodes, inFlight: tasks.running }),
      logger,
    }),
  );
  lifecycle.add(tasks);
  await tasks.start();
  await heartbeat.start();
  if (options.containers?.servesAny(envs) === true) {
    // After the first beat: the sweep believes a registry that lists this worker alive.
    const sweep = lifecycle.add(
      new ContainerSweep({
        containers: options.containers,
        redis: connection,
        prefix: config.storage.queuePrefix,
        workerId,
        intervalMs: config.worker.containerSweepIntervalMs,
        graceMs: config.worker.containerSweepGraceMs,
        logger,
      }),
    );
    sweep.start();
  }
  return { envs, workerId };
}

/** The envs to consume: the explicit list (all supported), or every supported env with a list. */
async function resolveEnvs(db: Kysely<Database>, options: WorkerServiceOptions): Promise<readonly string[]> {
  const supports = options.supports ?? (() => true);
  if (options.envs.length > 0) {
    const unsupported = options.envs.filter((env) => !supports(env));
    if (unsupported.length > 0)
      throw new WorkerSetupError(
        `this worker cannot run ${unsupported.join(', ')}: no evaluator for ${unsupported.length === 1 ? 'that environment' : 'those environments'}`,
      );
    return [...new Set(options.envs)];
  }
  const listed = (await getSamplingLists(db)).map((l) => l.env_id);
  const envs = listed.filter(supports);
  if (envs.length === 0) {
    throw new WorkerSetupError(
      listed.length === 0
        ? 'no environments to consume: Postgres has no sampling lists yet (start `evalpool serve` first) and none were given (--envs or EVALPOOL_WORKER_ENVS)'
        : `no environments to consume: this worker cannot run any of ${listed.join(', ')}`,
    );
  }
  return envs;
}

/** Fails early, with the fix, when the database was never migrated. */
async function assertSchema(db: Kysely<Database>): Promise<void> {
  // A missing database (3D000) or missing tables (42P01) propagate as Postgres raised them: the
  // CLI's runCommand says either in the same sentence as every other command (cli/friendly-errors.ts).
  await db.selectFrom('results').select('id').limit(1).execute();
}

/**
 * `serve`'s in-process workers (`EVALPOOL_INLINE_WORKERS` > 0): the built-in evaluators on
 * `EVALPOOL_WORKER_ENVS` (or every env with a sampling list), sharing serve's lifecycle and
 * database (and metrics, when given). With no env given and no sampling list yet, serve runs
 * without them (warned).
 */
export async function startInlineWorkers(
  config: Config,
  logger: Logger,
  lifecycle: Lifecycle,
  db: Kysely<Database>,
  metrics?: EvalpoolMetrics,
): Promise<void> {
  const evaluation = await builtInEvaluation(config, logger, metrics);
  if (config.worker.envs.length === 0 && !(await getSamplingLists(db)).some((l) => evaluation.supports(l.env_id))) {
    logger.warn(
      'inline workers not started: no environment to consume yet (set EVALPOOL_WORKER_ENVS, or restart once sampling lists exist)',
    );
    return;
  }
  const { envs } = await attachWorkers(config, logger, lifecycle, db, {
    envs: config.worker.envs,
    concurrency: config.worker.inlineWorkers,
    kind: 'inline',
    ...evaluation,
  });
  logger.info({ envs, concurrency: config.worker.inlineWorkers }, 'inline workers are running');
}
