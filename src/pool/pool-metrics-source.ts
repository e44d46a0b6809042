import type { EvalpoolMetrics, MetricsSource } from '../runtime/metrics.ts';
import type { PoolState } from './pool-snapshot.ts';
import type { PoolStats } from './pool-stats.ts';

/** Inputs of {@link poolMetricsSource}. */
export interface PoolMetricsSourceOptions {
  readonly metrics: EvalpoolMetrics;
  /**
   * The process's shared pool snapshot (`sharedPoolStats`), read through a fail-fast Redis
   * connection so that a scrape with Redis down fails at once.
   */
  readonly stats: () => Promise<PoolStats>;
}

const STATES: readonly PoolState[] = ['pending', 'assigned', 'paused'];

/**
 * The pool's scrape-time series from one pool snapshot (one MULTI snapshot, open circuits
 * included): `evalpool_tasks{env,state}`, and per miner `evalpool_miner_slots`,
 * `evalpool_miner_in_flight_tasks` and `evalpool_miner_circuit_open`. Circuits are the ones the
 * workers publish in Redis (what the scheduler acts on), not a worker's in-process breakers.
 * Each refresh replaces the series as a whole, so that envs and miners that left the pool disappear.
 */
export function poolMetricsSource(options: PoolMetricsSourceOptions): MetricsSource {
  const { metrics } = options;
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
    async refresh() {
      publish(await options.stats());
    },
    clear,
  };
}
