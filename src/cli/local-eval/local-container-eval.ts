import { randomUUID } from 'node:crypto';
import { CONTAINER_DEFAULT_MAX_TIMESTEPS } from '../../config/constants.ts';
import type { ContainerEnvSpec } from '../../envs/container/container-env-spec.ts';
import { ContainerManager } from '../../envs/container/container-manager.ts';
import type { Logger } from '../../runtime/logger.ts';
import type { EpisodeTimeouts } from '../../worker/episode/episode-timeouts.ts';
import { containerEvaluator } from '../../worker/evaluation/container-evaluator.ts';
import { evalSeeds, type LocalEvalOptions, type LocalEvalStats, laneCount, runLanes, summarise } from './local-eval.ts';

export interface LocalContainerEvalOptions
  extends Pick<
    LocalEvalOptions,
    'endpoint' | 'envId' | 'seeds' | 'episodes' | 'seedStart' | 'concurrency' | 'maxTimesteps' | 'onProgress' | 'signal'
  > {
  /** The env image (an affinetes image such as the subnet's, or evalpool's own): never pulled. */
  readonly image: string;
  /** The Docker Engine API socket. */
  readonly socketPath: string;
  readonly useImages?: boolean;
  readonly timeouts?: EpisodeTimeouts;
  readonly logger: Logger;
}

/**
 * Runs episodes of an env image against a miner endpoint through the container family, as a
 * worker would (same manager, evaluator and classification), with no database or queue: what a
 * miner uses to test a policy with the subnet's own image. One container per concurrent episode
 * (the subnet's Actors are not safe for concurrent calls); every container is removed at the end.
 */
export async function runContainerEval(options: LocalContainerEvalOptions): Promise<LocalEvalStats> {
  const seeds = evalSeeds(options);
  const lanes = laneCount(options.concurrency, seeds);
  const spec: ContainerEnvSpec = {
    envId: options.envId,
    image: options.image,
    maxTimesteps: options.maxTimesteps ?? CONTAINER_DEFAULT_MAX_TIMESTEPS,
    useImages: options.useImages ?? false,
    maxConcurrency: 1,
    replicas: lanes,
  };
  const manager = new ContainerManager({
    socketPath: options.socketPath,
    workerId: `eval-${process.pid}`,
    envs: [spec],
    logger: options.logger,
  });
  const evaluate = containerEvaluator({ containers: manager, envs: [spec], ...(options.timeouts && { timeouts: options.timeouts }) });
  const signal = options.signal ?? new AbortController().signal;
  const started = performance.now();
  try {
    await manager.start();
    const outcomes = await runLanes(
      Array.from({ length: lanes }, (_, i) => i),
      seeds,
      options,
      async (_lane, taskId) => {
        const task = {
          env: options.envId,
          task_id: taskId,
          task_uuid: randomUUID(),
          uid: 0,
          hotkey: 'local',
          revision: 'local',
          endpoint: options.endpoint,
          created_at: Date.now(),
        };
        const outcome = await evaluate(task, signal);
        return {
          errorClass: outcome.errorClass,
          success: outcome.success,
          totalReward: outcome.reward,
          timesteps: outcome.timesteps,
          message: outcome.message ?? null,
          actionLatenciesMs: [],
        };
      },
    );
    return summarise(options, seeds, outcomes, performance.now() - started);
  } finally {
    await manager.stop();
  }
}
