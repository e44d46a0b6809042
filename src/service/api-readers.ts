import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { ApiReaders, MinerCircuit, PoolCounts, SchedulerStatus, TaskStats } from '../api/readers.ts';
import type { Config } from '../config/schema.ts';
import type { Database } from '../db/schema.ts';
import { getActiveMiners } from '../db/tables/miners.ts';
import { readOpenCircuits } from '../pool/circuit-keys.ts';
import { getPoolStats, type PoolStats, type StateCounts } from '../pool/pool-stats.ts';
import { readSchedulerStatus } from '../scheduler/scheduler-status.ts';

const counts = (c: StateCounts): PoolCounts => ({ pending: c.pending, assigned: c.assigned, paused: c.paused });

/**
 * The read API's views of Redis state (scheduler status, pool counts, circuits), built from the
 * pool's and the scheduler's own readers. Pool stats are shared by concurrent callers for a
 * moment so that one page load does not snapshot the pool several times.
 */
export function apiReaders(config: Config, db: Kysely<Database>, redis: Redis): ApiReaders {
  const prefix = config.storage.queuePrefix;
  let stats: { at: number; value: Promise<PoolStats> } | undefined;
  const poolStats = (): Promise<PoolStats> => {
    const now = Date.now();
    if (!stats || now - stats.at > 500) {
      const value = getPoolStats({ redis, prefix, db, defaultSlots: config.slots.default });
      stats = { at: now, value };
      value.catch(() => (stats = undefined));
    }
    return stats.value;
  };

  return {
    async schedulerStatus(): Promise<SchedulerStatus> {
      const s = await readSchedulerStatus(redis, prefix);
      return {
        leaderId: s.leader?.id ?? null,
        lastTickAt: s.lastTick ? new Date(s.lastTick.at) : null,
        tasks: Object.entries(s.tasks).map(([name, t]) => ({ name, lastRunAt: new Date(t.at), lastDurationMs: t.durationMs, lastError: t.error ?? null })),
        minerDiscovery: s.miners
          ? {
              at: new Date(s.miners.at),
              block: s.miners.block,
              active: s.miners.active,
              excluded: s.miners.excluded,
              ...(s.miners.stale ? { stale: { since: new Date(s.miners.stale.since), error: s.miners.stale.error } } : {}),
            }
          : null,
      };
    },
    async inFlight() {
      return new Map((await poolStats()).miners.map((m) => [m.hotkey, m.inFlight]));
    },
    async taskStats(): Promise<TaskStats> {
      const s = await poolStats();
      return {
        total: counts(s.totals),
        byEnv: Object.fromEntries(s.envs.map((e) => [e.env, counts(e)])),
        byMiner: Object.fromEntries(s.miners.map((m) => [m.hotkey, counts(m)])),
      };
    },
    async circuits() {
      const hotkeys = (await getActiveMiners(db)).map((m) => m.hotkey);
      const open = await readOpenCircuits(redis, prefix, hotkeys);
      return new Map([...open].map(([hotkey, until]): [string, MinerCircuit] => [hotkey, { state: 'open', retryAt: new Date(until) }]));
    },
  };
}
