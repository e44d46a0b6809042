import type { Config } from '../config/schema.ts';
import { envFamily } from '../envs/env-id.ts';
import { BuiltinRegistry, listBuiltinEnvs } from '../envs/builtin-registry.ts';
import { MujocoLoader } from '../envs/mujoco/mujoco-loader.ts';
import { MinerClients } from '../miners/miner-clients.ts';
import { minerClientsOptions } from '../miners/miner-clients-options.ts';
import type { Stoppable } from '../runtime/lifecycle.ts';
import type { Logger } from '../runtime/logger.ts';
import type { EvalpoolMetrics } from '../runtime/metrics.ts';
import { episodeTimeouts } from './episode-timeouts.ts';
import type { EvaluationOutcome, Evaluator } from './evaluator.ts';
import { mujocoEvaluator } from './mujoco-evaluator.ts';

/** A family's evaluator together with the env ids it runs, when the family has a fixed set. */
export interface FamilyEvaluator {
  readonly evaluate: Evaluator;
  /** The env ids of the family it runs (e.g. the built-in MuJoCo envs); absent = every `<family>/...` id. */
  readonly envs?: readonly string[];
}

/**
 * Evaluators by environment family, the part of an env id before its first `/`
 * (`mujoco/reach-v1` → `mujoco`): a plain evaluator runs every env of its family.
 */
export type EvaluatorRegistry = Readonly<Record<string, Evaluator | FamilyEvaluator>>;

/** One evaluator for every env of a registry, and which envs it can run. */
export interface RegisteredEvaluator {
  readonly evaluator: Evaluator;
  readonly supports: (env: string) => boolean;
}

/** An env this worker has no evaluator for. */
export class UnsupportedEnvironmentError extends Error {
  constructor(
    readonly envs: readonly string[],
    /** What the worker can run: env ids, or `<family>/*`. */
    readonly runnable: readonly string[],
  ) {
    super(`no evaluator for ${envs.join(', ')}; this worker can run: ${runnable.join(', ') || '(nothing)'}`);
    this.name = 'UnsupportedEnvironmentError';
  }
}

function asFamily(entry: Evaluator | FamilyEvaluator): FamilyEvaluator {
  return typeof entry === 'function' ? { evaluate: entry } : entry;
}

/** Every env id (or `<family>/*`) a registry can run, sorted. */
export function runnableEnvs(registry: EvaluatorRegistry): string[] {
  return Object.entries(registry)
    .flatMap(([family, entry]) => asFamily(entry).envs ?? [`${family}/*`])
    .sort();
}

/** Dispatches each task to its family's evaluator. */
export function registryEvaluator(registry: EvaluatorRegistry): RegisteredEvaluator {
  const find = (env: string): Evaluator | undefined => {
    const family = envFamily(env);
    if (!Object.hasOwn(registry, family)) return undefined;
    const entry = asFamily(registry[family]!);
    return entry.envs === undefined || entry.envs.includes(env) ? entry.evaluate : undefined;
  };
  return {
    supports: (env) => find(env) !== undefined,
    evaluator: (task, signal) => {
      const evaluator = find(task.env);
      if (!evaluator) return Promise.reject(new UnsupportedEnvironmentError([task.env], runnableEnvs(registry)));
      return evaluator(task, signal);
    },
  };
}

/** Throws {@link UnsupportedEnvironmentError} naming every env of `envs` the registry cannot run. */
export function assertSupported(registry: EvaluatorRegistry, envs: readonly string[]): void {
  const { supports } = registryEvaluator(registry);
  const missing = envs.filter((e) => !supports(e));
  if (missing.length > 0) throw new UnsupportedEnvironmentError(missing, runnableEnvs(registry));
}

/**
 * The `noop` family (`noop/<anything>`), for benchmarks and smoke tests of the pool: every task
 * succeeds at once with score 1, without talking to the miner.
 */
export const noopEvaluator: Evaluator = () => {
  const outcome: EvaluationOutcome = { errorClass: 'success', success: true, score: 1, reward: null, timesteps: 0, durationMs: 0 };
  return Promise.resolve(outcome);
};

/** The evaluators built into a worker process, and the stop of what they hold open. */
export interface BuiltInEvaluators extends Stoppable {
  readonly registry: EvaluatorRegistry;
}

/**
 * The evaluators built into this worker: `noop`, and `mujoco` (the built-in MuJoCo envs) with
 * one MuJoCo module, one miner client and breaker per endpoint for the whole process, and the
 * timeouts and breaker settings of `config`. Nothing is loaded or opened before the first
 * MuJoCo task; `stop()` closes the miner connections and their idle sweep (call it after the
 * consumers stopped). With `metrics`, every miner action's latency is observed.
 */
export function builtInEvaluators(config: Pick<Config, 'worker'>, logger: Logger, metrics?: EvalpoolMetrics): BuiltInEvaluators {
  const registry = new BuiltinRegistry(new MujocoLoader({ log: (line) => logger.warn({ component: 'mujoco' }, line) }));
  const clients = new MinerClients(minerClientsOptions(config));
  const mujoco: FamilyEvaluator = {
    evaluate: mujocoEvaluator({ registry, clients, timeouts: episodeTimeouts(config), ...(metrics ? { metrics } : {}) }),
    envs: listBuiltinEnvs().filter((info) => info.family === 'mujoco').map((info) => info.id),
  };
  return {
    name: 'evaluators',
    registry: { noop: noopEvaluator, mujoco },
    stop: () => clients.close(),
  };
}
