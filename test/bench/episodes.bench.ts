// Episodes per second of one worker against the expert demo miner (its own process, loopback),
// per built-in env, with the in-process policy as the baseline; the same through the whole
// worker path (queue → evaluator → result row); and the per-step cost of the miner client with
// keep-alive versus a new connection per step.
import { randomUUID } from 'node:crypto';
import { percentile } from '../../src/cli/local-eval/percentile.ts';
import { InProcessMiner } from '../../src/demo/miners/in-process-miner.ts';
import { BuiltinRegistry } from '../../src/envs/builtin-registry.ts';
import { MujocoLoader } from '../../src/envs/mujoco/mujoco-loader.ts';
import type { MinerApi } from '../../src/miners/miner-api.ts';
import { MinerClient } from '../../src/miners/miner-client.ts';
import { runEpisode } from '../../src/worker/episode/run-episode.ts';
import { spawnCli } from '../helpers/spawn-cli.ts';
import type { BenchContext, BenchResult } from './bench-result.ts';
import { measureWorkerPath } from './worker-path.ts';

interface ChildMiner {
  readonly url: string;
  stop(): Promise<void>;
}

/** `evalpool demo-miner --policy expert` in its own process, as in production. */
export async function startChildMiner(): Promise<ChildMiner> {
  const cli = spawnCli(['demo-miner', '--policy', 'expert', '--port', '0']);
  const url = (await cli.waitForOutput(/listening on (http:\/\/\S+)/))[1]!;
  return {
    url,
    stop: async () => {
      cli.child.kill('SIGTERM');
      const timer = setTimeout(() => void cli.kill(), 5_000);
      await cli.exited();
      clearTimeout(timer);
    },
  };
}

export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const registry = new BuiltinRegistry(new MujocoLoader());
  const miner = await startChildMiner();
  const client = new MinerClient({ endpoint: miner.url });
  try {
    // Per-step cost of the client: the same /act, sequentially, over kept-alive connections
    // versus a new TCP connection for every step. Measured first: it also warms up both
    // processes before the episode figures.
    const probe = await registry.create('mujoco/reach-v1');
    const observation = await probe.reset(0);
    probe.close();
    const calls = Math.max(300, Math.round(3_000 * ctx.scale));
    const perCall = async (api: MinerClient): Promise<{ median: number; mean: number }> => {
      for (let i = 0; i < 300; i++) await api.act('bench', observation);
      const latencies: number[] = [];
      for (let i = 0; i < calls; i++) {
        const started = performance.now();
        await api.act('bench', observation);
        latencies.push(performance.now() - started);
      }
      return { median: percentile(latencies, 50), mean: latencies.reduce((a, b) => a + b, 0) / calls };
    };
    const fresh = new MinerClient({ endpoint: miner.url, keepAlive: false });
    try {
      const kept = await perCall(client);
      const opened = await perCall(fresh);
      results.push({
        name: 'miner client per-step cost (median), keep-alive',
        value: kept.median * 1000,
        unit: 'µs/step',
        baseline: opened.median * 1000,
        notes: `${calls} sequential /act calls on loopback; baseline: a new connection per step (${(opened.median / kept.median).toFixed(2)}x); means ${Math.round(kept.mean * 1000)} vs ${Math.round(opened.mean * 1000)} µs`,
      });
    } finally {
      await fresh.close();
    }

    const episodes = Math.max(5, Math.round(60 * ctx.scale));
    const sequential = new Map<string, number>();
    for (const envId of registry.ids()) {
      const env = await registry.create(envId);
      try {
        const measure = async (api: MinerApi, warmup: boolean): Promise<{ perSecond: number; steps: number; latencies: number[] }> => {
          if (warmup)
            for (let i = 0; i < 3; i++)
              await runEpisode({ env, client: api, task: { envId, taskId: 1_000_000 + i, episodeId: randomUUID() } });
          let steps = 0;
          const latencies: number[] = [];
          const started = performance.now();
          for (let taskId = 0; taskId < episodes; taskId++) {
            const outcome = await runEpisode({ env, client: api, task: { envId, taskId, episodeId: randomUUID() } });
            if (outcome.errorClass !== 'success' && outcome.errorClass !== 'failure')
              throw new Error(`${envId} ${taskId}: ${outcome.message}`);
            steps += outcome.timesteps;
            latencies.push(...outcome.actionLatenciesMs);
          }
          const seconds = (performance.now() - started) / 1000;
          return { perSecond: episodes / seconds, steps: steps / seconds, latencies };
        };
        const inProcess = await measure(new InProcessMiner('expert'), true);
        const overHttp = await measure(client, true);
        sequential.set(envId, overHttp.perSecond);
        results.push({
          name: `episodes/s, 1 worker vs expert demo miner, ${envId}`,
          value: overHttp.perSecond,
          unit: 'episodes/s',
          baseline: inProcess.perSecond,
          notes: `${episodes} episodes; ${Math.round(overHttp.steps)} steps/s over HTTP (baseline: same policy in process, ${Math.round(inProcess.steps)} steps/s); act p50 ${percentile(overHttp.latencies, 50).toFixed(3)} ms, p99 ${percentile(overHttp.latencies, 99).toFixed(3)} ms`,
        });
      } finally {
        env.close();
      }
    }

    // The whole worker path: BullMQ queue → TaskWorker (concurrency 4) → evaluator → result row.
    const envId = 'mujoco/reach-v1';
    const concurrency = 4;
    const worker = await measureWorkerPath(ctx, miner.url, envId, Math.max(40, Math.round(400 * ctx.scale)), concurrency);
    results.push({
      name: `episodes/s, full worker path (queue → evaluator → result row), 1 worker × concurrency ${concurrency}, ${envId}`,
      value: worker.perSecond,
      unit: 'episodes/s',
      baseline: sequential.get(envId),
      notes: `${worker.episodes} tasks added at once with the scheduler's job options, counted when their rows are in Postgres; ${worker.successes} solved; baseline: the sequential runEpisode figure above (no queue, no database)`,
    });
  } finally {
    await client.close();
    await miner.stop();
  }
  return results;
}
