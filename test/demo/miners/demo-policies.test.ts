import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { InProcessMiner } from '../../../src/demo/miners/in-process-miner.ts';
import { createDemoPolicy } from '../../../src/demo/miners/policies/demo-policy.ts';
import type { PolicyKind } from '../../../src/demo/miners/policies/policy.ts';
import { POLICY_KINDS } from '../../../src/demo/miners/policies/policy.ts';
import { BuiltinRegistry } from '../../../src/envs/builtin-registry.ts';
import type { Environment } from '../../../src/envs/environment.ts';
import { MujocoLoader } from '../../../src/envs/mujoco/mujoco-loader.ts';
import { formatTable } from '../../../src/runtime/format-table.ts';
import type { EpisodeOutcome } from '../../../src/worker/episode/run-episode.ts';
import { runEpisode } from '../../../src/worker/episode/run-episode.ts';

const SEEDS = 100;
const registry = new BuiltinRegistry(new MujocoLoader());
const envs = new Map<string, Environment>();
after(() => envs.forEach((env) => env.close()));

async function env(id: string): Promise<Environment> {
  let instance = envs.get(id);
  if (instance === undefined) {
    instance = await registry.create(id);
    envs.set(id, instance);
  }
  return instance;
}

async function episode(envId: string, kind: PolicyKind, taskId: number): Promise<EpisodeOutcome> {
  return runEpisode({ env: await env(envId), client: new InProcessMiner(kind), task: { envId, taskId, episodeId: `e-${taskId}` } });
}

/** Success rates over seeds 0..99, the same table as in docs/miners-and-chain.md, "Demo miner and local evaluation". */
const rates = new Map<string, number>();

void describe('demo policies over 100 seeds (in process, no HTTP)', () => {
  for (const envId of registry.ids()) {
    void test(envId, async () => {
      for (const kind of POLICY_KINDS) {
        let successes = 0;
        for (let taskId = 0; taskId < SEEDS; taskId++) {
          const outcome = await episode(envId, kind, taskId);
          assert.ok(outcome.errorClass === 'success' || outcome.errorClass === 'failure', `${kind} seed ${taskId}: ${outcome.message}`);
          if (outcome.success) successes++;
        }
        rates.set(`${envId} ${kind}`, successes / SEEDS);
      }
      const expert = rates.get(`${envId} expert`)!;
      const noisy = rates.get(`${envId} noisy`)!;
      const random = rates.get(`${envId} random`)!;
      assert.ok(expert >= 0.8, `expert succeeds on ${expert * 100}%`);
      assert.ok(random <= 0.1, `random succeeds on ${random * 100}%`);
      assert.ok(expert - random >= 0.5, 'expert far above random');
      assert.ok(noisy < expert && noisy > random, `noisy (${noisy}) between random and expert`);
    });
  }

  void test('the table', (t) => {
    const rows = registry
      .ids()
      .map((id) => [id, ...POLICY_KINDS.map((kind) => `${Math.round((rates.get(`${id} ${kind}`) ?? Number.NaN) * 100)}%`)]);
    for (const line of formatTable(['env (100 seeds)', ...POLICY_KINDS], rows).split('\n')) t.diagnostic(line);
  });
});

void describe('determinism', () => {
  void test('the same seed and policy twice give identical outcomes', async () => {
    for (const envId of registry.ids()) {
      for (const kind of POLICY_KINDS) {
        const strip = ({ errorClass, success, score, totalReward, timesteps }: EpisodeOutcome) => ({
          errorClass,
          success,
          score,
          totalReward,
          timesteps,
        });
        const first = strip(await episode(envId, kind, 4242));
        const second = strip(await episode(envId, kind, 4242));
        assert.deepEqual(second, first);
        assert.ok(Object.is(second.totalReward, first.totalReward));
      }
    }
  });

  void test('noisy and random policies act the same on the same observation, differently with another salt', async () => {
    const observation = await (await env('mujoco/reach-v1')).reset(5);
    for (const kind of ['noisy', 'random'] as const) {
      const a = createDemoPolicy(kind, 'mujoco/reach-v1').act(observation);
      const b = createDemoPolicy(kind, 'mujoco/reach-v1').act(observation);
      const c = createDemoPolicy(kind, 'mujoco/reach-v1', { salt: 1 }).act(observation);
      assert.deepEqual(a, b);
      assert.notDeepEqual(a, c);
    }
  });

  void test('demo policies refuse envs they do not know', () => {
    assert.throws(() => createDemoPolicy('expert', 'mujoco/nope'), /do not know env/);
  });
});
