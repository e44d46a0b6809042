import { CONTAINER_START_TIMEOUT_MS } from '../../config/constants.ts';
import type { Config } from '../../config/schema.ts';
import { BuiltinRegistry, builtinEnvInfo, listBuiltinEnvs } from '../../envs/builtin-registry.ts';
import type { ContainerEnvSpec } from '../../envs/container/container-env-spec.ts';
import { ContainerManager } from '../../envs/container/container-manager.ts';
import { envFamily } from '../../envs/env-id.ts';
import { MujocoLoader } from '../../envs/mujoco/mujoco-loader.ts';
import { MinerClients } from '../../miners/miner-clients.ts';
import { minerClientsOptions } from '../../miners/miner-clients-options.ts';
import type { Stoppable } from '../../runtime/lifecycle.ts';
import type { Logger } from '../../runtime/logger.ts';
import type { EvalpoolMetrics } from '../../runtime/metrics.ts';
import { episodeTimeouts } from '../episode/episode-timeouts.ts';
import { resolveWorkerId } from '../worker-id.ts';
import { containerEvaluator } from './container-evaluator.ts';
import { UnsupportedEnvironmentError } from './errors.ts';
import type { EvaluationOutcome, Evaluator } from './evaluator.ts';
import { mujocoEvaluator } from './mujoco-evaluator.ts';

/** What bounds an evaluation of an env: the worker's hard timeout is derived from it. */
export interface EnvLimits {
  /** The most steps of an episode. */
  readonly maxTimesteps: number;
  /** Worst-case time before the episode starts (e.g. starting the env's container). */
  readonly setupMs: number;
}

/** A family's evaluator together with the env ids it runs, when the family has a fixed set. */
export interface FamilyEvaluator {
  readonly evaluate: Evaluator;
  /** The env ids of the family it runs (e.g. the built-in MuJoCo envs); absent = every `<family>/...` id. */
  readonly envs?: readonly string[];
  /** The limits of each env it runs, when they are not those of a built-in env. */
  readonly limits?: (env: string) => EnvLimits | undefined;
}

/**
 * Evaluators by environment family, the part of an env id before its first `/`
 * (`mujoco/reach-v1` → `mujoco`): a plain evaluator runs every env of its family. An evaluator
 * that lists its envs runs exactly those, whatever their ids' first part (a listed id wins).
 */
export type EvaluatorRegistry = Readonly<Record<string, Evaluator | FamilyEvaluator>>;

/** One evaluator for every env of a registry, and which envs it can run. */
export interface RegisteredEvaluator {
  readonly evaluator: Evaluator;
  readonly supports: (env: string) => boolean;
  /** An env's limits: its family's, else the built-in env's; undefined when unknown. */
  readonly limits: (env: string) => EnvLimits | undefined;
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
  const entries = Object.values(registry).map(asFamily);
  const entryOf = (env: string): FamilyEvaluator | undefined => {
    // An env listed by an evaluator is its own, whatever its id's family: the container family
    // runs ids the images expect (`metaworld/reach-v3`).
    const listed = entries.find((entry) => entry.envs?.includes(env) === true);
    if (listed !== undefined) return listed;
    const family = envFamily(env);
    if (!Object.hasOwn(registry, family)) return undefined;
    const entry = asFamily(registry[family]!);
    return entry.envs === undefined || entry.envs.includes(env) ? entry : undefined;
  };
  const builtinLimits = (env: string): EnvLimits | undefined => {
    const info = builtinEnvInfo(env);
    return info === undefined ? undefined : { maxTimesteps: info.maxTimesteps, setupMs: 0 };
  };
  return {
    supports: (env) => entryOf(env) !== undefined,
    limits: (env) => entryOf(env)?.limits?.(env) ?? builtinLimits(env),
    evaluator: (task, signal) => {
      const evaluator = entryOf(task.env)?.evaluate;
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

/** The evaluators built into a worker process, and the start and stop of what they hold open. */
export interface BuiltInEvaluators extends Stoppable {
  readonly registry: EvaluatorRegistry;
  /** The env containers, when there are container envs. */
  readonly containers?: ContainerManager;
  /**
   * Prepares what must be ready before tasks of `envs` (default: every env) arrive: when one of
   * them is a container env, checks the container engine (a clear error when it does not
   * answer) and removes containers left by a crashed worker. Nothing otherwise. Idempotent.
   */
  start(envs?: readonly string[]): Promise<void>;
}

/** Options of {@link builtInEvaluators}. */
export interface BuiltInEvaluatorOptions {
  /** The container envs (from the sampling definitions); the `container` family exists only when there are some. */
  readonly containerEnvs?: readonly ContainerEnvSpec[];
  /** Written on the env containers; default: the worker id of `config`. */
  readonly workerId?: string;
  /** The pool of a pool worker, written on the env containers (`containerPool`): what its sweep looks at. */
  readonly pool?: string;
  /** Where miner action latencies are observed (the process's metrics). */
  readonly metrics?: EvalpoolMetrics;
}

/**
 * The evaluators built into this worker: `noop`, `mujoco` (the built-in MuJoCo envs) with one
 * MuJoCo module, one miner client and breaker per endpoint for the whole process, and, when
 * `containerEnvs` are given, `container` (one env container per image, sharing the miners'
 * breakers). Timeouts, breaker settings and the Docker socket come from `config`. Nothing is
 * loaded or opened before the first task (or `start()`); `stop()` removes the env containers,
 * then closes the miner connections and their idle sweep (call it after the consumers stopped).
 * With `metrics`, every miner action's latency is observed.
 */
export function builtInEvaluators(
  config: Pick<Config, 'worker'>,
  logger: Logger,
  options: BuiltInEvaluatorOptions = {},
): BuiltInEvaluators {
  const registry = new BuiltinRegistry(new MujocoLoader({ log: (line) => logger.warn({ component: 'mujoco' }, line) }));
  const clients = new MinerClients(minerClientsOptions(config));
  const timeouts = episodeTimeouts(config);
  const mujoco: FamilyEvaluator = {
    evaluate: mujocoEvaluator({ registry, clients, timeouts, ...(options.metrics ? { metrics: options.metrics } : {}) }),
    envs: listBuiltinEnvs()
      .filter((info) => info.family === 'mujoco')
      .map((info) => info.id),
  };
  const containerEnvs = options.containerEnvs ?? [];
  const containers =
    containerEnvs.length === 0
      ? undefined
      : new ContainerManager({
          socketPath: config.worker.dockerSocket,
          workerId: options.workerId ?? resolveWorkerId(config),
          envs: containerEnvs,
          logger,
          ...(options.pool !== undefined && { pool: options.pool }),
        });
  const container: FamilyEvaluator | undefined = containers && {
    evaluate: containerEvaluator({ containers, envs: containerEnvs, breaker: (endpoint) => clients.breaker(endpoint), timeouts }),
    envs: containerEnvs.map((env) => env.envId),
    limits: (env) => {
      const spec = containerEnvs.find((c) => c.envId === env);
      return spec && { maxTimesteps: spec.maxTimesteps, setupMs: CONTAINER_START_TIMEOUT_MS };
    },
  };
  return {
    name: 'evaluators',
    registry: { noop: noopEvaluator, mujoco, ...(container && { container }) },
    ...(containers && { containers }),
    start: async (envs) => {
      if (containers && (envs === undefined || envs.some((env) => containerEnvs.some((c) => c.envId === env)))) await containers.start();
    },
    stop: async () => {
      try {
        await containers?.stop();
      } finally {
        await clients.close();
      }
    },
  };
}
