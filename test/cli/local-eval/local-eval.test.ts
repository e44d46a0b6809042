import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { LocalEvalProgress } from '../../../src/cli/local-eval/local-eval.ts';
import { evalSeeds, runLocalEval } from '../../../src/cli/local-eval/local-eval.ts';
import type { DemoMiner } from '../../../src/demo/miners/demo-miner.ts';
import { startDemoMiner } from '../../../src/demo/miners/demo-miner.ts';
import { BuiltinRegistry } from '../../../src/envs/builtin-registry.ts';
import { MujocoLoader } from '../../../src/envs/mujoco/mujoco-loader.ts';
import { refusedPort } from '../../miners/test-server.ts';

const registry = new BuiltinRegistry(new MujocoLoader());
const miners: DemoMiner[] = [];
after(() => Promise.all(miners.map((m) => m.close())));

void describe('runLocalEval', () => {
  void test('runs the episodes with a concurrency and reports stats and progress', async () => {
    const miner = await startDemoMiner({ policy: 'expert' });
    miners.push(miner);
    const progress: LocalEvalProgress[] = [];
    const stats = await runLocalEval({
      endpoint: miner.url,
      envId: 'mujoco/reach-v1',
      registry,
      episodes: 8,
      seedStart: 100,
      concurrency: 3,
      onProgress: (p) => progress.push(p),
    });
    assert.deepEqual(stats.seeds, [100, 101, 102, 103, 104, 105, 106, 107]);
    assert.equal(stats.episodes, 8);
    assert.equal(stats.scored, 8);
    assert.equal(stats.successRate, 1);
    assert.equal(stats.errorsByClass.success, 8);
    assert.ok(stats.latencyP50Ms > 0 && stats.latencyP99Ms >= stats.latencyP50Ms);
    assert.ok(stats.meanReward < 0 && stats.meanTimesteps > 0);
    assert.deepEqual(
      progress.map((p) => p.done),
      [1, 2, 3, 4, 5, 6, 7, 8],
    );
    assert.deepEqual(
      progress.map((p) => p.taskId).sort((a, b) => a - b),
      stats.seeds,
    );
    assert.equal(progress.at(-1)?.successes, 8);
    assert.equal(miner.counts.reset, 8);
  });

  void test('an unreachable endpoint: every episode miner_unavailable, nothing scored, the reason given', async () => {
    const stats = await runLocalEval({
      endpoint: `http://127.0.0.1:${await refusedPort()}`,
      envId: 'mujoco/push-v1',
      registry,
      seeds: [1, 2, 3],
    });
    assert.equal(stats.errorsByClass.miner_unavailable, 3);
    assert.equal(stats.scored, 0);
    assert.ok(Number.isNaN(stats.successRate));
    assert.equal(stats.messages.length, 1);
    assert.equal(stats.messages[0]?.count, 3);
    assert.match(stats.messages[0]?.message ?? '', /refused/);
  });

  void test('an unknown env is refused before anything runs', async () => {
    await assert.rejects(
      runLocalEval({ endpoint: 'http://127.0.0.1:1', envId: 'mujoco/nope', registry, seeds: [1] }),
      /unknown environment/,
    );
  });
});

void describe('evalSeeds', () => {
  void test('given, consecutive, or drawn at random without repeats', () => {
    assert.deepEqual(evalSeeds({ seeds: [9, 3] }), [9, 3]);
    assert.deepEqual(evalSeeds({ episodes: 3, seedStart: 5 }), [5, 6, 7]);
    const drawn = evalSeeds({ episodes: 50 });
    assert.equal(new Set(drawn).size, 50);
    assert.ok(drawn.every((s) => Number.isInteger(s) && s >= 0 && s < 2 ** 32));
  });
});
