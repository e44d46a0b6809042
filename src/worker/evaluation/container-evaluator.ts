import { CONTAINER_CALL_GRACE_MS } from '../../config/constants.ts';
import type { ContainerEnvSpec } from '../../envs/container/container-env-spec.ts';
import { ContainerError } from '../../envs/container/container-error.ts';
import type { ContainerManager } from '../../envs/container/container-manager.ts';
import type { EvaluateKwargs, EvaluateResult } from '../../envs/container/contract.ts';
import type { CircuitBreaker } from '../../miners/circuit-breaker.ts';
import { CircuitOpenError } from '../../miners/errors.ts';
import { errorMessage } from '../../runtime/error-message.ts';
import { callTimeouts, type EpisodeTimeouts, episodeBudgetMs } from '../episode/episode-timeouts.ts';
import { settlePermit } from '../episode/settle-permit.ts';
import { containerOutcome, episodeStage, unattributedHttpFailure } from './container-outcome.ts';
import type { EvaluationOutcome, Evaluator } from './evaluator.ts';

/** What the container evaluator needs. */
export interface ContainerEvaluatorOptions {
  /** Runs `evaluate` in the env's container. */
  readonly containers: Pick<ContainerManager, 'evaluate'>;
  /** The container envs it runs. */
  readonly envs: readonly ContainerEnvSpec[];
  /** The miner's circuit breaker (shared with the built-in family): consulted before, told after. */
  readonly breaker?: (endpoint: string) => CircuitBreaker;
  readonly timeouts?: EpisodeTimeouts;
  /** How much longer than the episode's budget the host waits for the container's answer. */
  readonly callGraceMs?: number;
}

/**
 * The `container` family as an {@link Evaluator}: each task is one `evaluate` call in the
 * container of the env's image, which runs the whole episode against the miner. The container
 * is told the episode budget as `timeout` and must answer within it plus `callGraceMs`;
 * otherwise the call is an overrun and the container is recycled. Classes: the container's
 * result by {@link containerOutcome}; any failure of the container itself (crash, 5xx,
 * `status: "failed"`, unparseable answer, overrun, engine down) `env_error` with its text, an
 * HTTP 500 of the Actor's method marked `unattributedFault` (settled at the last attempt); an abandoned call
 * (shutdown) or a call timeout that fired after the worker's own loop stalled `worker_error`.
 */
export function containerEvaluator(options: ContainerEvaluatorOptions): Evaluator {
  const specs = new Map(options.envs.map((env) => [env.envId, env]));
  const grace = options.callGraceMs ?? CONTAINER_CALL_GRACE_MS;
  const { actionMs } = callTimeouts(options.timeouts);
  return async (task, signal) => {
    const started = performance.now();
    const elapsed = (): number => performance.now() - started;
    const spec = specs.get(task.env);
    if (spec === undefined) throw new Error(`${task.env} is not a container env of this worker`);

    const breaker = options.breaker?.(task.endpoint);
    const permit = breaker?.tryAcquire();
    if (breaker !== undefined && permit === undefined) {
      const message = new CircuitOpenError(task.endpoint, breaker.openUntil, breaker.lastFailure).message;
      return {
        ...unscored('miner_unavailable', message, elapsed()),
        ...(breaker.openUntil === null ? {} : { circuitOpenUntilMs: breaker.openUntil }),
      };
    }

    const budgetMs = episodeBudgetMs(options.timeouts ?? {}, spec.maxTimesteps);
    const kwargs: EvaluateKwargs = {
      task_id: task.task_id,
      base_url: task.endpoint,
      env_id: task.env,
      max_timesteps: spec.maxTimesteps,
      action_timeout: actionMs / 1_000,
      use_images: spec.useImages ?? false,
      timeout: budgetMs / 1_000,
      // The miner sees the same episode id on both paths (mujoco-evaluator.ts): the task uuid.
      episode_id: task.task_uuid,
    };
    let outcome: EvaluationOutcome;
    try {
      const result = await options.containers.evaluate(task.env, kwargs, {
        timeoutMs: budgetMs + grace,
        signal,
        retireAfter: retireAfterUnattributed,
      });
      outcome = containerOutcome(result, elapsed());
    } catch (error) {
      // A shutdown, or a call timeout this process missed itself (its loop stalled), is the worker's.
      const workers = signal.aborted || (error instanceof ContainerError && (error.kind === 'closed' || error.kind === 'worker_stalled'));
      outcome = unscored(workers ? 'worker_error' : 'env_error', `env container: ${errorMessage(error)}`, elapsed());
      // The Actor raised out of `evaluate` (or its result did not serialize): settled like a bare
      // Actor exception, by evidence at the last attempt (container-outcome.ts, rule 3).
      const answer = error instanceof ContainerError ? error.answer : undefined;
      if (!workers && answer !== undefined && unattributedHttpFailure(answer.status, answer.detail))
        outcome = { ...outcome, unattributedFault: true };
    }

    if (permit !== undefined) settlePermit(permit, outcome.errorClass, outcome.message ?? undefined);
    if (outcome.errorClass === 'miner_unavailable' && breaker?.openUntil != null)
      return { ...outcome, circuitOpenUntilMs: breaker.openUntil };
    return outcome;
  };
}

/** An Actor exception nothing attributes (a miner's NaN may have broken the simulator): replace the container. */
function retireAfterUnattributed(result: EvaluateResult): string | undefined {
  if (result.success || result.extra.error_class !== undefined || episodeStage(result) !== 'unattributed') return undefined;
  return 'the Actor raised (an unattributed fault)';
}

function unscored(errorClass: EvaluationOutcome['errorClass'], message: string, durationMs: number): EvaluationOutcome {
  return { errorClass, success: false, score: 0, reward: null, timesteps: null, message, durationMs };
}
