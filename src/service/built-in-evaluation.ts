import type { Config } from '../config/schema.ts';
import type { Logger } from '../runtime/logger.ts';
import type { EvalpoolMetrics } from '../runtime/metrics.ts';
import { containerPool } from '../worker/consumer/container-sweep.ts';
import { assertSupported, builtInEvaluators, registryEvaluator } from '../worker/evaluation/evaluators.ts';
import { loadContainerEnvs } from './container-envs.ts';
import type { WorkerServiceOptions } from './worker-service-options.ts';

/** What {@link builtInEvaluation} gives a worker: everything of its options but the queues and concurrency. */
export type BuiltInEvaluation = Omit<WorkerServiceOptions, 'envs' | 'concurrency'> & Required<Pick<WorkerServiceOptions, 'supports'>>;

/**
 * The built-in evaluators as a worker's evaluation (`evalpool worker` and serve's inline workers
 * alike): MuJoCo and the container envs of the sampling definitions, checked against
 * `EVALPOOL_WORKER_ENVS` (an env no evaluator runs throws `UnsupportedEnvironmentError`).
 * `prepare` starts what the consumed envs need; the evaluators stop with the workers. Env
 * containers carry the pool's label, and the workers sweep the pool's containers of workers gone for good.
 */
export async function builtInEvaluation(config: Config, logger: Logger, metrics?: EvalpoolMetrics): Promise<BuiltInEvaluation> {
  const containerEnvs = await loadContainerEnvs(config.scheduler.samplingListsDir, logger);
  const pool = containerPool(config.storage.redisUrl, config.storage.queuePrefix);
  const evaluators = builtInEvaluators(config, logger, { containerEnvs, pool, ...(metrics ? { metrics } : {}) });
  assertSupported(evaluators.registry, config.worker.envs);
  const { evaluator, supports, limits } = registryEvaluator(evaluators.registry);
  return {
    evaluator,
    supports,
    limits,
    prepare: (envs) => evaluators.start(envs),
    resources: [evaluators],
    ...(evaluators.containers && { containers: evaluators.containers }),
    ...(metrics ? { metrics } : {}),
  };
}
