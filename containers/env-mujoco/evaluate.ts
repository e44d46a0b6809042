/**
 * `evaluate` of the test env image: one episode of a built-in MuJoCo env against the miner at
 * `base_url`, run by the worker's own episode loop, so that the container family and the
 * built-in family score a miner the same way.
 *
 * Env ids: the image runs `mujoco/<task>` for any `<family>/<task>` it is asked for
 * (`container/reach-v1`, `metaworld/reach-v1`...). `stall-v1` is a test env that never ends and ignores its
 * timeout: it stands for a broken image, to exercise the host's overrun handling.
 */
import { randomUUID } from 'node:crypto';
import type { BuiltinRegistry } from '../../src/envs/builtin-registry.ts';
import type { EvaluateCallKwargs, EvaluateResult } from '../../src/envs/container/contract.ts';
import { splitEnvId } from '../../src/envs/env-id.ts';
import type { MinerClients } from '../../src/miners/miner-clients.ts';
import { type EpisodeOutcome, runEpisode } from '../../src/worker/episode/run-episode.ts';

/** The env a call without `env_id` runs. */
export const DEFAULT_ENV_ID = 'mujoco/reach-v1';

/** The test env that never finishes. */
export const STALL_TASK = 'stall-v1';

/** An env id this image cannot run: answered with HTTP 422. */
export class UnknownEnvError extends Error {
  override readonly name = 'UnknownEnvError';
}

/** Runs one episode for `kwargs`; `signal` fires when the caller went away or the server stops. */
export async function evaluate(
  kwargs: EvaluateCallKwargs,
  registry: BuiltinRegistry,
  clients: MinerClients,
  signal: AbortSignal,
): Promise<EvaluateResult> {
  const { taskName } = splitEnvId(kwargs.env_id ?? DEFAULT_ENV_ID);
  if (taskName === STALL_TASK) return stall();
  const envId = `mujoco/${taskName}`;
  if (!registry.has(envId))
    throw new UnknownEnvError(
      `this image runs ${registry
        .ids()
        .map((id) => splitEnvId(id).taskName)
        .join(', ')}; not "${taskName}"`,
    );
  const env = await registry.create(envId);
  try {
    const { client } = clients.get(kwargs.base_url);
    const outcome = await runEpisode({
      env,
      client,
      endpoint: kwargs.base_url,
      // `seed` (the executor may send one) is the episode's seed; by default the task id.
      // The host's `episode_id` (evalpool: the task uuid); a caller that sends none gets a fresh one.
      task: { envId, taskId: kwargs.seed ?? kwargs.task_id, episodeId: kwargs.episode_id ?? randomUUID() },
      maxTimesteps: kwargs.max_timesteps,
      // The host's timeout is the episode's budget: the episode is cut when it runs out.
      timeouts: {
        actionMs: Math.max(1, Math.round(kwargs.action_timeout * 1_000)),
        episodeMs: Math.max(1, Math.round(kwargs.timeout * 1_000)),
      },
      signal,
    });
    return resultOf(outcome);
  } finally {
    env.close();
  }
}

/** The contract's result for an episode's outcome; `extra.error_class` says why it failed. */
export function resultOf(outcome: EpisodeOutcome): EvaluateResult {
  const extra = { timesteps: outcome.timesteps, total_reward: outcome.totalReward };
  const error = outcome.message === null ? {} : { error: outcome.message };
  switch (outcome.errorClass) {
    case 'success':
      return { success: true, score: outcome.score, extra };
    case 'failure':
      return { success: false, score: 0, extra: { ...extra, error_class: outcome.errorClass }, ...error };
    case 'miner_unavailable':
      // Whether the miner had the task decides if it is measured (scored once the attempts run out).
      return {
        success: false,
        score: 0,
        extra: { ...extra, error_class: outcome.errorClass, ...(outcome.minerHadTask ? { miner_had_task: true } : {}) },
        ...error,
      };
    default:
      // A simulator fault, or the budget ran out while the env (not the miner) held it.
      return { success: false, score: 0, extra: { ...extra, error_class: 'env_error' }, ...error };
  }
}

/** Never settles, whatever happens: only stopping the process ends it. */
function stall(): Promise<never> {
  return new Promise(() => undefined);
}
