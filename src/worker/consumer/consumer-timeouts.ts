import { HARD_TIMEOUT_MARGIN_MS, SHUTDOWN_RELEASE_RESERVE_MS } from '../../config/constants.ts';
import type { Config } from '../../config/schema.ts';
import { builtinEnvInfo } from '../../envs/builtin-registry.ts';
import { episodeBudgetMs, episodeTimeouts } from '../episode/episode-timeouts.ts';
import type { EnvLimits } from '../evaluation/evaluators.ts';

/**
 * How long an evaluation of these envs may run before the worker abandons it: the budget of the
 * longest episode, plus the longest setup (starting an env container), plus a margin. `limits`
 * gives an env's limits (default: the built-in env's; an unknown env counts as 0 steps, no setup).
 */
export function hardTimeoutMs(
  config: Pick<Config, 'worker'>,
  envs: readonly string[],
  limits?: (env: string) => EnvLimits | undefined,
): number {
  const of = (env: string): EnvLimits => {
    const builtin = builtinEnvInfo(env);
    return limits?.(env) ?? { maxTimesteps: builtin?.maxTimesteps ?? 0, setupMs: 0 };
  };
  const longest = Math.max(0, ...envs.map((env) => of(env).maxTimesteps));
  const setup = Math.max(0, ...envs.map((env) => of(env).setupMs));
  return episodeBudgetMs(episodeTimeouts(config), longest) + setup + HARD_TIMEOUT_MARGIN_MS;
}

/**
 * How long running evaluations get to finish when the worker stops: the shutdown grace less the
 * reserve kept for releasing the aborted ones and closing connections (at most half the grace,
 * so that a short grace still leaves the episodes some of it).
 */
export function drainMs(shutdownGraceMs: number): number {
  return Math.max(0, shutdownGraceMs - Math.min(SHUTDOWN_RELEASE_RESERVE_MS, Math.floor(shutdownGraceMs / 2)));
}
