// The container family against the built-in one, over the same expert demo miner (its own
// process, loopback): how long an env container takes to start (create, start, MuJoCo loaded,
// healthy), and what running an episode in a container costs on top of running it in the worker
// (the same seeds through both evaluators, sequentially, after a warm-up). Needs the engine and
// the test image (containers/podman-engine.sh, containers/build-env-image.sh).

import { percentile } from '../../src/cli/local-eval/percentile.ts';
import { ContainerManager } from '../../src/envs/container/container-manager.ts';
import { containerEvaluator } from '../../src/worker/evaluation/container-evaluator.ts';
import type { Evaluator } from '../../src/worker/evaluation/evaluator.ts';
import { builtInEvaluators, registryEvaluator } from '../../src/worker/evaluation/evaluators.ts';
import { requireEngineAndImage, TEST_AFFINETES_DOUBLE_IMAGE, TEST_DOCKER_SOCKET, TEST_ENV_IMAGE } from '../helpers/container-engine.ts';
import { startReachMiner } from '../helpers/reach-miner.ts';
import { makeTask } from '../helpers/task-jobs.ts';
import { testConfig } from '../helpers/test-config.ts';
import { testLogger } from '../helpers/test-logger.ts';
import type { BenchContext, BenchResult } from './bench-result.ts';
import { startChildMiner } from './episodes.bench.ts';

const REACH = 'container/reach-v1';
const spec = { envId: REACH, image: TEST_ENV_IMAGE, maxTimesteps: 200 };

export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  await requireEngineAndImage();
  const results: BenchResult[] = [];
  const miner = await startChildMiner();
  const config = testConfig({ EVALPOOL_DOCKER_SOCKET: TEST_DOCKER_SOCKET });
  try {
    // Container start: a fresh manager each time, so each start is a cold one.
    const starts: number[] = [];
    const stops: number[] = [];
    for (let i = 0; i < Math.max(3, Math.round(10 * ctx.scale)); i++) {
      const manager = new ContainerManager({ socketPath: TEST_DOCKER_SOCKET, workerId: 'bench', envs: [spec], logger: testLogger() });
      try {
        await manager.start();
        await manager.evaluate(
          REACH,
          {
            task_id: 0,
            base_url: miner.url,
            env_id: REACH,
            max_timesteps: 200,
            action_timeout: 5,
            use_images: false,
            timeout: 60,
            episode_id: `bench-${i}`,
          },
          { timeoutMs: 65_000 },
        );
        starts.push(manager.containers()[0]!.startMs);
      } finally {
        const t0 = performance.now();
        await manager.stop();
        stops.push(performance.now() - t0);
      }
    }
    results.push({
      name: 'env container start (create → healthy, MuJoCo loaded), median',
      value: percentile(starts, 50),
      unit: 'ms',
      notes: `${starts.length} cold starts: ${starts.map((ms) => Math.round(ms)).join(', ')} ms; removal at stop, median ${Math.round(percentile(stops, 50))} ms`,
    });

    // Per-episode overhead: the same expert episodes through the built-in and the container evaluator.
    const evaluators = builtInEvaluators(config, testLogger(), { containerEnvs: [spec], workerId: 'bench' });
    try {
      const { evaluator } = registryEvaluator(evaluators.registry);
      const episodes = Math.max(20, Math.round(200 * ctx.scale));
      const measure = async (env: string): Promise<{ ms: number[]; steps: number }> => {
        const run = (taskId: number): ReturnType<Evaluator> =>
          evaluator(makeTask({ env, task_id: taskId, endpoint: miner.url }), new AbortController().signal);
        for (let i = 0; i < 10; i++) await run(1_000_000 + i);
        const ms: number[] = [];
        let steps = 0;
        for (let taskId = 0; taskId < episodes; taskId++) {
          const t0 = performance.now();
          const outcome = await run(taskId);
          ms.push(performance.now() - t0);
          if (outcome.errorClass !== 'success' && outcome.errorClass !== 'failure')
            throw new Error(`${env} ${taskId}: ${outcome.errorClass} ${outcome.message ?? ''}`);
          steps += outcome.timesteps ?? 0;
        }
        return { ms, steps };
      };
      const builtin = await measure('mujoco/reach-v1');
      const container = await measure(REACH);
      const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
      const overhead = mean(container.ms) - mean(builtin.ms);
      results.push({
        name: 'episode in a container vs in the worker, mujoco reach-v1, mean',
        value: mean(container.ms),
        unit: 'ms/episode',
        baseline: mean(builtin.ms),
        notes: `${episodes} expert episodes each, same seeds (${container.steps} vs ${builtin.steps} steps); overhead ${overhead.toFixed(1)} ms/episode (${((overhead / mean(builtin.ms)) * 100).toFixed(0)}%); medians ${percentile(container.ms, 50).toFixed(1)} vs ${percentile(builtin.ms, 50).toFixed(1)} ms; p99 ${percentile(container.ms, 99).toFixed(1)} vs ${percentile(builtin.ms, 99).toFixed(1)} ms`,
      });
    } finally {
      await evaluators.stop();
    }
  } finally {
    await miner.stop();
  }
  results.push(await replicaThroughput(ctx));
  return results;
}

/**
 * Episodes/s of an affinetes-style image (the double: one non-thread-safe simulator per env id,
 * so one episode per container at a time) with 4 tasks at once, served by 1 container vs 4
 * replicas. The miner answers each `/act` after 10 ms (its network and inference time).
 */
export async function replicaThroughput(ctx: BenchContext): Promise<BenchResult> {
  await requireEngineAndImage(TEST_AFFINETES_DOUBLE_IMAGE);
  const miner = await startReachMiner();
  miner.actDelayMs = 10;
  const concurrency = 4;
  const episodes = Math.max(12, Math.round(80 * ctx.scale));
  const measure = async (replicas: number): Promise<number> => {
    const envs = [{ envId: 'metaworld/reach-v3', image: TEST_AFFINETES_DOUBLE_IMAGE, maxTimesteps: 50, replicas }];
    const manager = new ContainerManager({
      socketPath: TEST_DOCKER_SOCKET,
      workerId: `bench-replicas-${replicas}`,
      envs,
      logger: testLogger(),
    });
    const evaluate = containerEvaluator({ containers: manager, envs, timeouts: { resetMs: 5_000, actionMs: 5_000 } });
    const run = async (taskId: number): Promise<void> => {
      const outcome = await evaluate(
        makeTask({ env: 'metaworld/reach-v3', task_id: taskId, endpoint: miner.url }),
        new AbortController().signal,
      );
      if (outcome.errorClass !== 'success')
        throw new Error(`replicas ${replicas}, task ${taskId}: ${outcome.errorClass} ${outcome.message ?? ''}`);
    };
    try {
      await Promise.all(Array.from({ length: concurrency }, (_, i) => run(1_000 + i))); // start the containers
      let next = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < episodes) await run(next++);
        }),
      );
      return episodes / ((performance.now() - t0) / 1_000);
    } finally {
      await manager.stop();
    }
  };
  try {
    const one = await measure(1);
    const many = await measure(concurrency);
    return {
      name: `affinetes-style image, ${concurrency} tasks at once: episodes/s with ${concurrency} replicas (baseline: 1 container)`,
      value: many,
      unit: 'episodes/s',
      baseline: one,
      notes: `${episodes} episodes each, max_concurrency 1, miner /act delay 10 ms; ${(many / one).toFixed(2)}× with replicas`,
    };
  } finally {
    await miner.close();
  }
}
