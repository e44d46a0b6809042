import type { Redis } from 'ioredis';
import type { EvalpoolMetrics, MetricsSource } from '../runtime/metrics.ts';
import type { WorkerState } from './worker-registry.ts';
import { readWorkers } from './worker-registry.ts';

/** Inputs of {@link workersMetricsSource}. */
export interface WorkersMetricsSourceOptions {
  readonly metrics: EvalpoolMetrics;
  /** A fail-fast connection (`probe`): a scrape with Redis down fails at once. */
  readonly redis: Redis;
  readonly prefix: string;
  /** Envs that should have a consumer (those with a sampling list): their gauge exists at 0. */
  readonly envs: () => Promise<readonly string[]>;
  readonly now?: () => number;
}

const STATES: readonly WorkerState[] = ['live', 'stale', 'gone'];

/**
 * The worker registry's scrape-time series: `evalpool_workers_live{env}` (0 for an env with a
 * sampling list, or a registered worker, that no live worker consumes: alert on `== 0`), `evalpool_workers{state}` and
 * `evalpool_worker_last_seen_seconds{worker}`. Each refresh replaces them as a whole.
 */
export function workersMetricsSource(options: WorkersMetricsSourceOptions): MetricsSource {
  const { metrics } = options;
  const clear = (): void => {
    metrics.workersLive.reset();
    metrics.workers.reset();
    metrics.workerLastSeen.reset();
  };
  return {
    name: 'workers',
    async refresh() {
      const now = (options.now ?? Date.now)();
      const [workers, envs] = await Promise.all([readWorkers(options.redis, options.prefix, now), options.envs()]);
      clear();
      // Every env that should have a consumer, or had one, is present: at 0 when nobody consumes it now.
      const live = new Map([...envs, ...workers.flatMap((w) => w.envs)].map((env) => [env, 0]));
      for (const w of workers) {
        if (w.state === 'live') for (const env of w.envs) live.set(env, (live.get(env) ?? 0) + 1);
        metrics.workerLastSeen.set({ worker: w.id }, Math.max(0, (now - w.lastSeenAt) / 1_000));
      }
      for (const [env, n] of live) metrics.workersLive.set({ env }, n);
      for (const state of STATES) metrics.workers.set({ state }, workers.filter((w) => w.state === state).length);
    },
    clear,
  };
}
