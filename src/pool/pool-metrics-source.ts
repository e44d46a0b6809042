import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { EvalpoolMetrics, MetricsSource } from '../runtime/metrics.ts';
import { METRICS_POOL_CACHE_MS } from '../runtime/metrics-defaults.ts';
import type { PoolState } from './pool-snapshot.ts';
import { getPoolStats, type PoolStats } from './pool-stats.ts';

/** Inputs of {@link poolMetricsSource}. */
export interface PoolMetricsSourceOptions {
  readonly metrics: EvalpoolMetrics;
  /** A fail-fast connection (`createRedis(..., 'probe')`), so that a scrape with Redis down fails at once. */
  readonly redis: Redis;
  readonly prefix: string;
  readonly db: Kysely<Database>;
  /** `config.slots.default`. */
  readonly defaultSlots: number;
  /** A snapshot younger than this is reused (default {@link METRICS_POOL_CACHE_MS}). */
  readonly cacheMs?: number;
}

const STATES: readonly PoolState[] = ['pending', 'assigned', 'paused'];

/**
 * The pool's scrape-time series from one {@link getPoolStats} (one MULTI snapshot, open circuits
 * included): `evalpool_tasks{env,state}`, and per miner `evalpool_miner_slots`,
 * `evalpool_miner_in_flight_tasks` and `evalpool_miner_circuit_open`. Circuits are the ones the
 * workers publish in Redis (what the scheduler acts on), not a worker's in-process breakers.
 * Scrapes within `cacheMs` of a snapshot, or while one is being taken, share it. Each refresh
 * replaces the series as a whole, so that envs and miners that left the pool disappear.
 */
export function poolMetricsSource(options: PoolMetricsSourceOptions): MetricsSource {
  const { metrics } = options;
  const cacheMs = options.cacheMs ?? METRICS_POOL_CACHE_MS;
  let last: { readonly at: number; readonly done: Promise<void>; settled: boolean } | undefined;

  const publish = (stats: PoolStats): void => {
    clear();
    for (const env of stats.envs) for (const state of STATES) metrics.tasks.set({ env: env.env, state }, env[state]);
    for (const miner of stats.miners) {
      metrics.minerSlots.set({ hotkey: miner.hotkey }, miner.slots);
      metrics.minerInFlight.set({ hotkey: miner.hotkey }, miner.inFlight);
      metrics.minerCircuitOpen.set({ hotkey: miner.hotkey }, miner.circuitOpen ? 1 : 0);
    }
  };
  const clear = (): void => {
    metrics.tasks.reset();
    metrics.minerSlots.reset();
    metrics.minerInFlight.reset();
    metrics.minerCircuitOpen.reset();
  };

  return {
    name: 'pool',
    refresh() {
      const now = Date.now();
      if (last && (!last.settled || now - last.at < cacheMs)) return last.done;
      const done = getPoolStats(options).then(publish);
      const entry = { at: now, done, settled: false };
      last = entry;
      done.then(
        () => (entry.settled = true),
        () => {
          // A failure is not cached: the next scrape tries again.
          if (last === entry) last = undefined;
        },
      );
      return done;
    },
    clear,
  };
}
