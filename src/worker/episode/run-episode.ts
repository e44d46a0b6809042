import { splitEnvId } from '../../envs/env-id.ts';
import type { Environment } from '../../envs/environment.ts';
import type { Observation, TaskConfig } from '../../envs/policy-contract.ts';
import type { CircuitBreaker, CircuitPermit } from '../../miners/circuit-breaker.ts';
import { CircuitOpenError, MinerRequestError } from '../../miners/errors.ts';
import type { MinerApi } from '../../miners/miner-api.ts';
import { timedAbort } from '../../runtime/linked-abort.ts';
import type { EpisodePhase } from './classify-error.ts';
import { classifyError } from './classify-error.ts';
import { callTimeouts, type EpisodeTimeouts, episodeBudgetMs } from './episode-timeouts.ts';
import type { ErrorClass } from './error-class.ts';
import { EpisodeAbortedError, EpisodeTimeoutError } from './errors.ts';
import { settlePermit } from './settle-permit.ts';

/** What is evaluated: an env and a task id, which is the episode seed. */
export interface EpisodeTask {
  /** `<family>/<task name>`, e.g. `mujoco/reach-v1`. */
  readonly envId: string;
  readonly taskId: number;
  /** Names this episode in every miner call (the pool's task uuid; a fresh uuid otherwise). */
  readonly episodeId: string;
}

export interface RunEpisodeOptions {
  /** A simulator of `task.envId`, owned by the caller (not closed here). */
  readonly env: Environment;
  readonly client: MinerApi;
  /** The miner's breaker: consulted before calling it, told the verdict after. */
  readonly breaker?: CircuitBreaker;
  /** Names the breaker's miner in messages. */
  readonly endpoint?: string;
  readonly task: EpisodeTask;
  /** Stops earlier than the env's own limit, never later. */
  readonly maxTimesteps?: number;
  readonly timeouts?: EpisodeTimeouts;
  /** The worker's shutdown signal. */
  readonly signal?: AbortSignal;
  /** Milliseconds clock for latencies; defaults to `performance.now`. */
  readonly now?: () => number;
}

/** How an episode ended. */
export interface EpisodeOutcome {
  readonly errorClass: ErrorClass;
  readonly success: boolean;
  /** 1 for success, 0 otherwise (only meaningful for `success` and `failure`). */
  readonly score: number;
  readonly totalReward: number;
  readonly timesteps: number;
  /** Why the episode ended early, for anything but a clean success or failure. */
  readonly message: string | null;
  /** Whether the miner had the task (its `/reset` was delivered) when the episode ended. */
  readonly minerHadTask: boolean;
  /** Every `/act` round trip that completed, in ms. */
  readonly actionLatenciesMs: readonly number[];
  readonly durationMs: number;
}

/** The task config sent to `/reset`: env id `family/task` split into env and task names. */
export function taskConfigFor(task: EpisodeTask): TaskConfig {
  const { family, taskName } = splitEnvId(task.envId);
  return { env_id: task.envId, env_name: family, task_name: taskName, seed: task.taskId, task_id: task.taskId };
}

/**
 * Runs one episode: env reset from the task id, `POST /reset`, then up to `maxTimesteps` ×
 * (`POST /act` → env step). Never throws: every ending is an {@link EpisodeOutcome} with exactly
 * one class (see classify-error.ts), and the breaker, if any, is told exactly once.
 */
export async function runEpisode(options: RunEpisodeOptions): Promise<EpisodeOutcome> {
  const { env, client, breaker, task, signal } = options;
  const now = options.now ?? (() => performance.now());
  const started = now();
  const latencies: number[] = [];
  let totalReward = 0;
  let timesteps = 0;
  let minerMs = 0;
  let phase: EpisodePhase = 'env';
  // Once true, the miner has the task (seed, task id): every ending is measured (classify-error.ts).
  let minerHadTask = false;

  const finish = (errorClass: ErrorClass, message: string | null): EpisodeOutcome => ({
    errorClass,
    success: errorClass === 'success',
    score: errorClass === 'success' ? 1 : 0,
    totalReward,
    timesteps,
    message,
    minerHadTask,
    actionLatenciesMs: latencies,
    durationMs: now() - started,
  });

  if (signal?.aborted === true) return finish('worker_error', new EpisodeAbortedError(signal.reason).message);
  if (env.id !== task.envId) return finish('worker_error', `environment ${env.id} given for a task of ${task.envId}`);
  const maxTimesteps = Math.min(options.maxTimesteps ?? env.maxTimesteps, env.maxTimesteps);
  const { resetMs, actionMs } = callTimeouts(options.timeouts);
  const episodeMs = episodeBudgetMs(options.timeouts ?? {}, maxTimesteps);

  let permit: CircuitPermit | undefined;
  if (breaker !== undefined) {
    permit = breaker.tryAcquire();
    if (permit === undefined) {
      const { errorClass, message } = classifyError(
        new CircuitOpenError(options.endpoint ?? 'miner', breaker.openUntil, breaker.lastFailure),
        'reset',
      );
      return finish(errorClass, message);
    }
  }

  // One signal for the episode's calls: fires on shutdown or when the episode's budget runs out.
  const calls = timedAbort(signal, episodeMs, 'episode budget exhausted');
  const callSignal = calls.signal;
  const shuttingDown = (): boolean => signal?.aborted === true;
  const checkpoint = (): void => {
    if (shuttingDown()) throw new EpisodeAbortedError(signal?.reason);
    if (calls.timedOut) throw new EpisodeTimeoutError(episodeMs, minerShare(), timesteps, calls.workerStalled);
  };
  const minerShare = (): number => minerMs / Math.max(1e-9, now() - started);
  const timed = async <T>(call: () => Promise<T>): Promise<T> => {
    const t0 = now();
    try {
      return await call();
    } finally {
      minerMs += now() - t0;
    }
  };

  let outcome: EpisodeOutcome;
  try {
    let observation: Observation = await env.reset(task.taskId);
    checkpoint();
    phase = 'reset';
    await timed(() => client.reset(task.episodeId, taskConfigFor(task), { signal: callSignal, timeoutMs: resetMs }));
    minerHadTask = true;
    let success = false;
    while (timesteps < maxTimesteps && !success) {
      checkpoint();
      phase = 'act';
      const t0 = now();
      const action = await timed(() => client.act(task.episodeId, observation, { signal: callSignal, timeoutMs: actionMs }));
      latencies.push(now() - t0);
      checkpoint();
      phase = 'env';
      const step = await env.step(action);
      timesteps++;
      totalReward += step.reward;
      observation = step.observation;
      success = step.success;
      if (step.done) break;
    }
    outcome = finish(success ? 'success' : 'failure', null);
  } catch (error) {
    // An abort surfaces as whatever the interrupted call threw; name the real cause.
    // A `/reset` that failed after its bytes were written was delivered all the same.
    if (error instanceof MinerRequestError && error.delivered) minerHadTask = true;
    let cause = error;
    if (shuttingDown()) cause = new EpisodeAbortedError(signal?.reason);
    else if (calls.timedOut) cause = new EpisodeTimeoutError(episodeMs, minerShare(), timesteps, calls.workerStalled);
    const classified = classifyError(cause, phase, minerHadTask);
    outcome = finish(classified.errorClass, classified.message);
  } finally {
    calls.dispose();
  }

  if (permit !== undefined) settlePermit(permit, outcome.errorClass, outcome.message ?? undefined);
  return outcome;
}
