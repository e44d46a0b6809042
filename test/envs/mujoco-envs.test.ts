import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { ActionSpec } from '../../src/envs/action-spec.ts';
import { boxSpec } from '../../src/envs/action-spec.ts';
import { BuiltinRegistry, listBuiltinEnvs } from '../../src/envs/builtin-registry.ts';
import type { Environment, StepResult } from '../../src/envs/environment.ts';
import { EnvironmentError, InvalidActionError } from '../../src/envs/errors.ts';
import type { StepVerdict } from '../../src/envs/mujoco/mujoco-environment.ts';
import { MujocoEnvironment } from '../../src/envs/mujoco/mujoco-environment.ts';
import type { Mujoco } from '../../src/envs/mujoco/mujoco-loader.ts';
import { MujocoLoader } from '../../src/envs/mujoco/mujoco-loader.ts';
import { f64 } from '../../src/envs/mujoco/mujoco-views.ts';
import type { Action, Observation } from '../../src/envs/policy-contract.ts';
import { SeededRandom } from '../../src/envs/seeded-random.ts';
import type { ValidAction } from '../../src/envs/validate-action.ts';

const mujocoOutput: string[] = [];
const loader = new MujocoLoader({ log: (line) => mujocoOutput.push(line) });
const registry = new BuiltinRegistry(loader);
const open: Environment[] = [];
after(() => open.forEach((env) => env.close()));

async function create(id: string): Promise<Environment> {
  const env = await registry.create(id);
  open.push(env);
  return env;
}

/** A random action in the spec's bounds, from a seeded stream. */
function randomAction(spec: ActionSpec, random: SeededRandom): Action {
  const continuous = Object.fromEntries(
    Object.entries(spec.continuous).map(([key, box]) => [key, box.low.map((low, i) => random.uniform(low, box.high[i]!))]),
  );
  return { continuous, discrete: {}, extra: {} };
}

/** Every float of an observation as its exact bits, so that comparisons are bit for bit. */
function bits(observation: Observation): string {
  const view = new DataView(new ArrayBuffer(8));
  return Object.entries(observation.proprio)
    .map(
      ([key, values]) =>
        `${key}:${values.map((x) => (view.setFloat64(0, x), `${view.getUint32(0).toString(16)}.${view.getUint32(4).toString(16)}`)).join(',')}`,
    )
    .join(';');
}

/** Runs a whole episode with seeded random actions; returns a bit-exact trace. */
async function trace(env: Environment, seed: number, actionSeed: number): Promise<string[]> {
  const random = new SeededRandom(actionSeed, 99);
  const lines = [bits(await env.reset(seed))];
  let step: StepResult;
  do {
    step = await env.step(randomAction(env.actionSpec, random));
    lines.push(`${bits(step.observation)}|${step.reward}|${step.done}|${step.success}`);
  } while (!step.done);
  return lines;
}

for (const info of listBuiltinEnvs()) {
  void describe(info.id, () => {
    void test('observations carry exactly the declared proprio keys, no images', async () => {
      const env = await create(info.id);
      assert.equal(env.id, info.id);
      assert.equal(env.family, 'mujoco');
      const observation = await env.reset(3);
      assert.deepEqual(Object.fromEntries(Object.entries(observation.proprio).map(([k, v]) => [k, v.length])), info.proprio);
      assert.deepEqual(
        [observation.rgb, observation.depth, observation.cam_intrinsics, observation.cam_extrinsics, observation.extra],
        [{}, {}, {}, {}, {}],
      );
    });

    void test('same seed and same actions give the same episode, bit for bit, on any instance', async () => {
      const env = await create(info.id);
      const first = await trace(env, 12345, 1);
      await trace(env, 999, 2); // something else in between
      const again = await trace(env, 12345, 1);
      const fresh = await trace(await create(info.id), 12345, 1);
      assert.deepEqual(again, first);
      assert.deepEqual(fresh, first);
      assert.equal(first.length, info.maxTimesteps + 1, 'random actions never solve it, so the episode runs to its limit');
    });

    void test('different seeds start differently', async () => {
      const env = await create(info.id);
      const starts = new Set<string>();
      for (let seed = 0; seed < 20; seed++) starts.add(bits(await env.reset(seed)));
      assert.equal(starts.size, 20);
    });

    void test('invalid actions throw InvalidActionError and leave the episode running', async () => {
      const env = await create(info.id);
      await env.reset(1);
      const [key, box] = Object.entries(env.actionSpec.continuous)[0]!;
      const good = box.low.map(() => 0);
      await assert.rejects(env.step({ continuous: { [key]: [...good, 0] }, discrete: {}, extra: {} }), InvalidActionError);
      await assert.rejects(env.step({ continuous: { [key]: good.map(() => Number.NaN) }, discrete: {}, extra: {} }), InvalidActionError);
      await assert.rejects(env.step({ continuous: { [key]: good, bogus: [1] }, discrete: {}, extra: {} }), InvalidActionError);
      await assert.rejects(env.step({ continuous: {}, discrete: {}, extra: {} }), InvalidActionError);
      const step = await env.step({ continuous: { [key]: good }, discrete: {}, extra: {} });
      assert.equal(step.done, false);
    });

    void test('lifecycle: no step before reset or after the end, nothing after close, close twice is fine', async () => {
      const env = await registry.create(info.id);
      const zero: Action = {
        continuous: Object.fromEntries(Object.entries(env.actionSpec.continuous).map(([k, b]) => [k, b.low.map(() => 0)])),
        discrete: {},
        extra: {},
      };
      await assert.rejects(env.step(zero), EnvironmentError);
      await assert.rejects(env.reset(-1), RangeError);
      await assert.rejects(env.reset(1.5), RangeError);
      await env.reset(0);
      let step: StepResult;
      do step = await env.step(zero);
      while (!step.done);
      await assert.rejects(env.step(zero), /after the episode ended/);
      env.close();
      env.close();
      await assert.rejects(env.reset(0), /used after close/);
    });
  });
}

void describe('MuJoCo memory', () => {
  void test('close() frees the simulator: creating and closing hundreds does not grow the WebAssembly heap', async () => {
    const keeper = (await create('mujoco/push-v1')) as unknown as { data: { qpos: unknown } };
    for (let i = 0; i < 10; i++) (await registry.create('mujoco/push-v1')).close();
    // A view into the heap is detached (length 0) as soon as the heap grows.
    const view = f64(keeper.data.qpos, 'qpos');
    for (let i = 0; i < 300; i++) (await registry.create('mujoco/push-v1')).close();
    assert.equal(view.length, 4);
  });
});

class ExplodingEnvironment extends MujocoEnvironment {
  constructor(mj: Mujoco) {
    super(mj, {
      taskName: 'exploding-test',
      maxTimesteps: 100,
      frameSkip: 10,
      actionSpec: { continuous: { push: boxSpec(1, -1, 1, 'a huge force') }, discrete: {} },
      proprio: { x: 1 },
      xml: `<mujoco><size memory="64K"/><option timestep="0.01" integrator="Euler"/><worldbody><body>
        <joint name="s" type="slide" axis="1 0 0"/><inertial pos="0 0 0" mass="1e-9" diaginertia="1e-12 1e-12 1e-12"/>
        </body></worldbody><actuator><motor joint="s" gear="1e30"/></actuator></mujoco>`,
    });
  }
  protected initialise(): void {}
  protected applyAction(action: ValidAction): void {
    f64(this.data.ctrl, 'ctrl')[0] = action.continuous.push![0]!;
  }
  protected observe(): Record<string, number[]> {
    return { x: [f64(this.data.qpos, 'qpos')[0]!] };
  }
  protected judge(): StepVerdict {
    return { reward: 0, success: false };
  }
}

void describe('MujocoEnvironment', () => {
  void test('a diverging simulation is an EnvironmentError, not garbage numbers', async () => {
    const env = new ExplodingEnvironment(await loader.load());
    open.push(env);
    await env.reset(0);
    await assert.rejects(async () => {
      for (let i = 0; i < 100; i++) await env.step({ continuous: { push: [1] }, discrete: {}, extra: {} });
    }, EnvironmentError);
    assert.ok(
      mujocoOutput.some((line) => /unstable/.test(line)),
      "MuJoCo's warning reaches the log callback",
    );
  });
});

void describe('BuiltinRegistry', () => {
  void test('lists the envs easiest first and refuses unknown ids', async () => {
    assert.deepEqual(registry.ids(), ['mujoco/reach-v1', 'mujoco/push-v1', 'mujoco/balance-v1']);
    assert.equal(registry.has('mujoco/reach-v1'), true);
    assert.equal(registry.has('mujoco/nope'), false);
    await assert.rejects(registry.create('mujoco/nope'), /unknown environment "mujoco\/nope"/);
  });

  void test('the loader loads the module once and shares it', async () => {
    const fresh = new MujocoLoader();
    const [a, b] = await Promise.all([fresh.load(), fresh.load()]);
    assert.equal(a, b);
    assert.equal(await fresh.load(), a);
  });

  void test('steps per second (reported, not asserted)', async (t) => {
    for (const id of registry.ids()) {
      const env = await create(id);
      const random = new SeededRandom(1, 5);
      await env.reset(0);
      let steps = 0;
      const started = performance.now();
      while (steps < 3_000) {
        const step = await env.step(randomAction(env.actionSpec, random));
        steps++;
        if (step.done) await env.reset(steps);
      }
      t.diagnostic(`${id}: ${Math.round(steps / ((performance.now() - started) / 1000))} control steps/s`);
    }
  });
});
