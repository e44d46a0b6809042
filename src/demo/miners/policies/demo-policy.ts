import type { ActionSpec } from '../../../envs/action-spec.ts';
import { builtinEnvInfo } from '../../../envs/builtin-registry.ts';
import type { Action, Observation } from '../../../envs/policy-contract.ts';
import { SeededRandom } from '../../../envs/seeded-random.ts';
import { balanceExpert } from './balance-expert.ts';
import { observationHash } from './observation-hash.ts';
import type { Policy, PolicyKind, Proprio } from './policy.ts';
import { pushExpert } from './push-expert.ts';
import { reachExpert } from './reach-expert.ts';

type Expert = (proprio: Proprio) => Record<string, number[]>;

/** How much worse `noisy` is than `expert`. */
export interface NoiseOptions {
  /** Standard deviation of the Gaussian noise added to every action entry (bounds are [-1, 1]). */
  readonly sigma: number;
  /** Chance per step of a uniformly random action instead. */
  readonly randomProbability: number;
}

/**
 * Each env's expert and the noise that makes `noisy` succeed roughly half as often over 100
 * seeds: the envs differ a lot in how well they average out zero-mean noise (the arm's PD loop
 * shrugs it off, the pole does not).
 */
const EXPERTS: Readonly<Record<string, { readonly expert: Expert; readonly noise: NoiseOptions }>> = Object.freeze({
  'mujoco/reach-v1': { expert: reachExpert, noise: { sigma: 2, randomProbability: 0.6 } },
  'mujoco/push-v1': { expert: pushExpert, noise: { sigma: 1.5, randomProbability: 0.5 } },
  'mujoco/balance-v1': { expert: balanceExpert, noise: { sigma: 0.75, randomProbability: 0.4 } },
});

export interface DemoPolicyOptions {
  /** Overrides the env's own noise for `noisy`. */
  readonly noise?: NoiseOptions;
  /** Mixed into every random draw: another salt gives another (still reproducible) behaviour. */
  readonly salt?: number;
}

/** The env ids the demo policies know. */
export function demoPolicyEnvIds(): string[] {
  return Object.keys(EXPERTS);
}

/**
 * A demo policy for one built-in env. `expert` is deterministic; `noisy` and `random` draw from
 * a generator seeded by a hash of the observation (see {@link observationHash}), so the same
 * task gives the same episode every time.
 */
export function createDemoPolicy(kind: PolicyKind, envId: string, options: DemoPolicyOptions = {}): Policy {
  const entry = EXPERTS[envId];
  const info = builtinEnvInfo(envId);
  if (entry === undefined || info === undefined) throw new Error(`the demo policies do not know env "${envId}"`);
  const { expert } = entry;
  const spec = info.actionSpec;
  const salt = options.salt ?? 0;
  const noise = options.noise ?? entry.noise;
  const random = (observation: Observation): SeededRandom => new SeededRandom(observationHash(observation), salt);
  switch (kind) {
    case 'expert':
      return { act: (observation) => asAction(expert(observation.proprio)) };
    case 'random':
      return { act: (observation) => asAction(uniformAction(spec, random(observation))) };
    case 'noisy':
      return {
        act: (observation) => {
          const rng = random(observation);
          if (rng.next() < noise.randomProbability) return asAction(uniformAction(spec, rng));
          const action = expert(observation.proprio);
          for (const [key, values] of Object.entries(action)) {
            const box = spec.continuous[key]!;
            action[key] = values.map((x, i) => Math.min(box.high[i]!, Math.max(box.low[i]!, x + noise.sigma * rng.normal())));
          }
          return asAction(action);
        },
      };
  }
}

function uniformAction(spec: ActionSpec, rng: SeededRandom): Record<string, number[]> {
  const action: Record<string, number[]> = {};
  for (const [key, box] of Object.entries(spec.continuous)) action[key] = box.low.map((low, i) => rng.uniform(low, box.high[i]!));
  return action;
}

function asAction(continuous: Record<string, number[]>): Action {
  return { continuous, discrete: {}, extra: {} };
}
