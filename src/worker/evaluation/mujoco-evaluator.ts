import type { BuiltinRegistry } from '../../envs/builtin-registry.ts';
import type { MinerClients } from '../../miners/miner-clients.ts';
import { mean } from '../../runtime/mean.ts';
import type { EvalpoolMetrics } from '../../runtime/metrics.ts';
import type { EpisodeTimeouts } from '../episode/episode-timeouts.ts';
import { type EpisodeOutcome, runEpisode } from '../episode/run-episode.ts';
import type { EvaluationOutcome, Evaluator } from './evaluator.ts';

/** What the built-in MuJoCo evaluator shares between its episodes. */
export interface MujocoEvaluatorOptions {
  /** Creates the simulators; one per process, so that the MuJoCo module is loaded once. */
  readonly registry: BuiltinRegistry;
  /** One keep-alive client and circuit breaker per miner endpoint, shared by every episode. */
  readonly clients: MinerClients;
  readonly timeouts?: EpisodeTimeouts;
  /** Where each action's round trip is observed (`evalpool_miner_action_latency_seconds`); absent = not observed. */
  readonly metrics?: EvalpoolMetrics;
}

/**
 * The built-in MuJoCo environments as an {@link Evaluator}: each task is one episode on a
 * simulator of its own (created per episode: compiling a model takes well under a millisecond,
 * against tens of milliseconds for the shortest episode), against the task's miner through its
 * shared client and breaker, for the env's own number of steps. Starts the clients' idle sweep
 * on first use; the caller closes the clients.
 */
export function mujocoEvaluator(options: MujocoEvaluatorOptions): Evaluator {
  const { registry, clients, timeouts, metrics } = options;
  return async (task, signal) => {
    clients.start();
    const env = await registry.create(task.env);
    try {
      const { client, breaker } = clients.get(task.endpoint);
      const episode = await runEpisode({
        env,
        client,
        breaker,
        endpoint: task.endpoint,
        task: { envId: task.env, taskId: task.task_id, episodeId: task.task_uuid },
        timeouts,
        signal,
      });
      if (metrics && episode.actionLatenciesMs.length > 0) {
        const latency = metrics.minerActionLatency.labels({ env: task.env });
        for (const ms of episode.actionLatenciesMs) latency.observe(ms / 1_000);
      }
      return evaluationOutcome(episode, breaker.openUntil);
    } finally {
      env.close();
    }
  };
}

/**
 * An episode's outcome as the worker records it. `circuitOpenUntilMs` (when the miner's breaker
 * is open, ms since epoch) is passed on with `miner_unavailable` so that the worker publishes it
 * for the scheduler.
 */
export function evaluationOutcome(episode: EpisodeOutcome, circuitOpenUntilMs: number | null): EvaluationOutcome {
  const latency = mean(episode.actionLatenciesMs);
  return {
    errorClass: episode.errorClass,
    success: episode.success,
    score: episode.score,
    reward: episode.totalReward,
    timesteps: episode.timesteps,
    durationMs: episode.durationMs,
    ...(episode.message === null ? {} : { message: episode.message }),
    ...(Number.isNaN(latency) ? {} : { latencyMs: latency }),
    ...(episode.errorClass === 'miner_unavailable' && circuitOpenUntilMs !== null ? { circuitOpenUntilMs } : {}),
    ...(episode.minerHadTask ? { minerHadTask: true } : {}),
  };
}
