import { randomInt, randomUUID } from 'node:crypto';
import { LOCAL_EVAL_CONCURRENCY, LOCAL_EVAL_EPISODES } from '../../config/constants.ts';
import type { BuiltinRegistry } from '../../envs/builtin-registry.ts';
import type { Environment } from '../../envs/environment.ts';
import type { MinerClientOptions } from '../../miners/miner-client.ts';
import { MinerClient } from '../../miners/miner-client.ts';
import { mean } from '../../runtime/mean.ts';
import type { EpisodeTimeouts } from '../../worker/episode/episode-timeouts.ts';
import type { ErrorClass } from '../../worker/episode/error-class.ts';
import { ERROR_CLASSES, isScored } from '../../worker/episode/error-class.ts';
import { runEpisode } from '../../worker/episode/run-episode.ts';
import { percentile } from './percentile.ts';

export interface LocalEvalOptions {
  /** The miner's base URL. */
  readonly endpoint: string;
  readonly envId: string;
  readonly registry: BuiltinRegistry;
  /** The task ids to run; otherwise `episodes` ids from `seedStart` on, or drawn at random. */
  readonly seeds?: readonly number[];
  readonly episodes?: number;
  readonly seedStart?: number;
  readonly concurrency?: number;
  readonly maxTimesteps?: number;
  readonly timeouts?: EpisodeTimeouts;
  readonly client?: Omit<MinerClientOptions, 'endpoint'>;
  /** Called after every episode. */
  readonly onProgress?: (progress: LocalEvalProgress) => void;
  readonly signal?: AbortSignal;
}

/** One episode of a local evaluation, as the stats need it (built-in or container family). */
export interface LocalEpisode {
  readonly errorClass: ErrorClass;
  readonly success: boolean;
  /** Null when the env does not say (a container's failed episode). */
  readonly totalReward: number | null;
  readonly timesteps: number | null;
  readonly message: string | null;
  /** Every `/act` round trip that completed, in ms (empty when the env runs the episode itself). */
  readonly actionLatenciesMs: readonly number[];
}

export interface LocalEvalProgress {
  readonly done: number;
  readonly total: number;
  readonly successes: number;
  readonly taskId: number;
  readonly outcome: LocalEpisode;
}

/** The figures `evalpool eval` prints. Rates and means are over scored episodes (success or failure). */
export interface LocalEvalStats {
  readonly envId: string;
  readonly endpoint: string;
  readonly seeds: readonly number[];
  readonly episodes: number;
  readonly scored: number;
  readonly successes: number;
  /** successes / scored; NaN when nothing was scored. */
  readonly successRate: number;
  readonly meanReward: number;
  readonly meanTimesteps: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly errorsByClass: Readonly<Record<ErrorClass, number>>;
  /** Distinct messages of unscored or early-ended episodes, most frequent first, at most 5. */
  readonly messages: readonly { readonly message: string; readonly count: number }[];
  readonly durationMs: number;
  readonly episodesPerSecond: number;
}

/** The task ids of a local evaluation: given, consecutive from a start, or drawn at random. */
export function evalSeeds(options: Pick<LocalEvalOptions, 'seeds' | 'episodes' | 'seedStart'>): number[] {
  if (options.seeds !== undefined) return [...options.seeds];
  const episodes = options.episodes ?? LOCAL_EVAL_EPISODES;
  if (options.seedStart !== undefined) return Array.from({ length: episodes }, (_, i) => options.seedStart! + i);
  const drawn = new Set<number>();
  while (drawn.size < episodes) drawn.add(randomInt(0, 2 ** 32));
  return [...drawn];
}

/**
 * Runs episodes of one built-in env against a miner endpoint, with no database or queue: what a
 * miner uses to test a policy before committing it. `concurrency` episodes run at once, each on
 * its own simulator, all through one keep-alive client.
 */
export async function runLocalEval(options: LocalEvalOptions): Promise<LocalEvalStats> {
  const seeds = evalSeeds(options);
  const client = new MinerClient({ ...options.client, endpoint: options.endpoint });
  const envs: Environment[] = [];
  const started = performance.now();
  try {
    for (let i = 0; i < laneCount(options.concurrency, seeds); i++) envs.push(await options.registry.create(options.envId));
    const outcomes = await runLanes(envs, seeds, options, (env, taskId) =>
      runEpisode({
        env,
        client,
        task: { envId: options.envId, taskId, episodeId: randomUUID() },
        maxTimesteps: options.maxTimesteps,
        timeouts: options.timeouts,
        signal: options.signal,
      }),
    );
    return summarise(options, seeds, outcomes, performance.now() - started);
  } finally {
    for (const env of envs) env.close();
    await client.close();
  }
}

/** How many episodes run at once: `concurrency`, at most one per seed. */
export function laneCount(concurrency: number | undefined, seeds: readonly number[]): number {
  return Math.max(1, Math.min(concurrency ?? LOCAL_EVAL_CONCURRENCY, seeds.length || 1));
}

/**
 * Runs `run` for every seed, one lane per element of `lanes` (each lane's resource is used by
 * one episode at a time), until the seeds run out or `signal` fires; reports progress.
 */
export async function runLanes<L>(
  lanes: readonly L[],
  seeds: readonly number[],
  options: Pick<LocalEvalOptions, 'onProgress' | 'signal'>,
  run: (lane: L, taskId: number) => Promise<LocalEpisode>,
): Promise<LocalEpisode[]> {
  const outcomes: LocalEpisode[] = [];
  let next = 0;
  let successes = 0;
  const lane = async (resource: L): Promise<void> => {
    while (next < seeds.length && options.signal?.aborted !== true) {
      const taskId = seeds[next++]!;
      const outcome = await run(resource, taskId);
      outcomes.push(outcome);
      if (outcome.success) successes++;
      options.onProgress?.({ done: outcomes.length, total: seeds.length, successes, taskId, outcome });
    }
  };
  await Promise.all(lanes.map((resource) => lane(resource)));
  return outcomes;
}

/** The stats of a local evaluation's episodes. */
export function summarise(
  options: Pick<LocalEvalOptions, 'envId' | 'endpoint'>,
  seeds: readonly number[],
  outcomes: readonly LocalEpisode[],
  durationMs: number,
): LocalEvalStats {
  const scored = outcomes.filter((o) => isScored(o.errorClass));
  const errorsByClass = Object.fromEntries(ERROR_CLASSES.map((c) => [c, 0])) as Record<ErrorClass, number>;
  const messages = new Map<string, number>();
  for (const o of outcomes) {
    errorsByClass[o.errorClass]++;
    if (o.message !== null) messages.set(o.message, (messages.get(o.message) ?? 0) + 1);
  }
  const latencies = outcomes.flatMap((o) => o.actionLatenciesMs);
  const successes = scored.filter((o) => o.success).length;
  return {
    envId: options.envId,
    endpoint: options.endpoint,
    seeds,
    episodes: outcomes.length,
    scored: scored.length,
    successes,
    successRate: scored.length === 0 ? Number.NaN : successes / scored.length,
    meanReward: mean(scored.flatMap((o) => (o.totalReward === null ? [] : [o.totalReward]))),
    meanTimesteps: mean(scored.flatMap((o) => (o.timesteps === null ? [] : [o.timesteps]))),
    latencyP50Ms: percentile(latencies, 50),
    latencyP99Ms: percentile(latencies, 99),
    errorsByClass,
    messages: [...messages]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([message, count]) => ({ message, count })),
    durationMs,
    episodesPerSecond: outcomes.length / Math.max(durationMs / 1000, 1e-9),
  };
}
