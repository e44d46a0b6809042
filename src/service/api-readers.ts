import type { Redis } from 'ioredis';
import type { ApiReaders, MinerCircuit, PoolCounts, SchedulerStatus, TaskStats } from '../api/readers.ts';
import type { Config } from '../config/schema.ts';
import type { PoolStats, StateCounts } from '../pool/pool-stats.ts';
import { readWorkers } from '../pool/worker-registry.ts';
import { readSchedulerStatus } from '../scheduler/scheduler-status.ts';

const counts = (c: StateCounts): PoolCounts => ({ pending: c.pending, assigned: c.assigned, paused: c.paused });

/**
 * The read API's views of Redis state (scheduler status, pool counts, circuits), built from the
 * pool's and the scheduler's own readers; `poolStats` is the process's shared snapshot.
 */
export function apiReaders(config: Config, redis: Redis, poolStats: () => Promise<PoolStats>): ApiReaders {
  const prefix = config.storage.queuePrefix;
  return {
    async schedulerStatus(): Promise<SchedulerStatus> {
      const s = await readSchedulerStatus(redis, prefix);
      return {
        leaderId: s.leader?.id ?? null,
        lastTickAt: s.lastTick ? new Date(s.lastTick.at) : null,
        tasks: Object.entries(s.tasks).map(([name, t]) => ({
          name,
          lastRunAt: new Date(t.at),
          lastDurationMs: t.durationMs,
          lastError: t.error ?? null,
        })),
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
    async workers() {
      return (await readWorkers(redis, prefix)).map((w) => ({
        ...w,
        startedAt: new Date(w.startedAt),
        lastSeenAt: new Date(w.lastSeenAt),
        stoppedAt: w.stoppedAt === undefined ? null : new Date(w.stoppedAt),
      }));
    },
    async circuits() {
      const open = (await poolStats()).miners.filter((m) => m.circuitOpen);
      return new Map(
        open.map((m): [string, MinerCircuit] => [
          m.hotkey,
          { state: 'open', retryAt: m.circuitRetryAt === null ? null : new Date(m.circuitRetryAt) },
        ]),
      );
    },
  };
}
