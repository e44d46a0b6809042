import type { EvaluationOutcome, Evaluator } from './evaluator.ts';

/** Evaluators by environment family: the part of an env id before its first `/` (`mujoco/reach-v1` → `mujoco`). */
export type EvaluatorRegistry = Readonly<Record<string, Evaluator>>;

/** One evaluator for every env of a registry, and which envs it can run. */
export interface RegisteredEvaluator {
  readonly evaluator: Evaluator;
  readonly supports: (env: string) => boolean;
}

/** The family of an env id. */
export function envFamily(env: string): string {
  const slash = env.indexOf('/');
  return slash === -1 ? env : env.slice(0, slash);
}

/** An env this worker has no evaluator for. */
export class UnsupportedEnvironmentError extends Error {
  constructor(
    readonly envs: readonly string[],
    readonly families: readonly string[],
  ) {
    super(
      `no evaluator for ${envs.map((e) => `${e} (family "${envFamily(e)}")`).join(', ')}; this worker can run the families: ${families.join(', ') || '(none)'}`,
    );
    this.name = 'UnsupportedEnvironmentError';
  }
}

/** Dispatches each task to its family's evaluator. */
export function registryEvaluator(registry: EvaluatorRegistry): RegisteredEvaluator {
  const families = Object.keys(registry).sort();
  const find = (env: string): Evaluator | undefined => (Object.hasOwn(registry, envFamily(env)) ? registry[envFamily(env)] : undefined);
  return {
    supports: (env) => find(env) !== undefined,
    evaluator: (task, signal) => {
      const evaluator = find(task.env);
      if (!evaluator) return Promise.reject(new UnsupportedEnvironmentError([task.env], families));
      return evaluator(task, signal);
    },
  };
}

/** Throws {@link UnsupportedEnvironmentError} naming every env of `envs` the registry cannot run. */
export function assertSupported(registry: EvaluatorRegistry, envs: readonly string[]): void {
  const { supports } = registryEvaluator(registry);
  const missing = envs.filter((e) => !supports(e));
  if (missing.length > 0) throw new UnsupportedEnvironmentError(missing, Object.keys(registry).sort());
}

/**
 * The `noop` family (`noop/<anything>`), for benchmarks and smoke tests of the pool: every task
 * succeeds at once with score 1, without talking to the miner.
 */
export const noopEvaluator: Evaluator = () => {
  const outcome: EvaluationOutcome = { errorClass: 'success', success: true, score: 1, reward: null, timesteps: 0, durationMs: 0 };
  return Promise.resolve(outcome);
};

/**
 * The evaluators built into this worker. The MuJoCo family is plugged in here when it lands
 * (`mujoco: <adapter of runEpisode>`).
 */
export function builtInEvaluators(): EvaluatorRegistry {
  return { noop: noopEvaluator };
}
