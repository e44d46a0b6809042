import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { effectiveSlots, getMinerSlots } from '../db/tables/miner-slots.ts';
import { getActiveMiners } from '../db/tables/miners.ts';
import { getSamplingLists } from '../db/tables/sampling-lists.ts';
import { knownQueues } from './paused-tasks.ts';
import { type PoolState, readPoolSnapshot } from './pool-snapshot.ts';

/** Task counts per state. */
export type StateCounts = Record<PoolState, number>;

/** One env in the pool stats. */
export interface EnvPoolStats extends StateCounts {
  readonly env: string;
  /** Last rotation of the env's list (creation time before the first one); null: no list. */
  readonly lastRotatedAt: string | null;
  readonly listVersion: number | null;
}

/** One miner (hotkey) in the pool stats. */
export interface MinerPoolStats extends StateCounts {
  readonly hotkey: string;
  readonly uid: number | null;
  /** Active revision; null when the hotkey has tasks but is not active any more. */
  readonly revision: string | null;
  readonly slots: number;
  /** pending + assigned: what the slots cap. */
  readonly inFlight: number;
  readonly pinned: boolean;
  readonly schedulingPaused: boolean;
  /** Whether a worker published an open circuit breaker for it (active miners only). */
  readonly circuitOpen: boolean;
  /** When that open circuit lets a trial request through (ms since epoch); null when closed or unknown. */
  readonly circuitRetryAt: number | null;
}

/** What the API serves about the pool (never the task ids: lists are secret). */
export interface PoolStats {
  readonly takenAt: string;
  readonly totals: StateCounts;
  readonly envs: readonly EnvPoolStats[];
  readonly miners: readonly MinerPoolStats[];
}

/** Inputs of {@link getPoolStats}. */
export interface PoolStatsInput {
  readonly redis: Redis;
  readonly prefix: string;
  readonly db: Kysely<Database>;
  /** `config.slots.default`: slots of a miner without a slots row. */
  readonly defaultSlots: number;
}

const zero = (): StateCounts => ({ pending: 0, assigned: 0, paused: 0 });

/**
 * Counts per state, per env and per miner, with slots, in flight and open circuits per miner and
 * the last rotation per env. Two Redis round trips (queue registry, then one MULTI snapshot) and three
 * small queries, whatever the pool's size. Any replica may call it; it only reads.
 */
export async function getPoolStats(input: PoolStatsInput): Promise<PoolStats> {
  const [registered, miners, slotRows, lists] = await Promise.all([
    knownQueues(input.redis, input.prefix),
    getActiveMiners(input.db),
    getMinerSlots(input.db),
    getSamplingLists(input.db),
  ]);
  const envIds = [...new Set([...registered, ...lists.map((l) => l.env_id)])].sort();
  const snapshot = await readPoolSnapshot(input.redis, input.prefix, envIds, { hotkeys: miners.map((m) => m.hotkey) });

  const totals = zero();
  const byEnv = new Map(envIds.map((env) => [env, zero()]));
  const byHotkey = new Map<string, StateCounts>(miners.map((m) => [m.hotkey, zero()]));
  for (const task of snapshot.tasks) {
    totals[task.state]++;
    byEnv.get(task.env)![task.state]++;
    let counts = byHotkey.get(task.hotkey);
    if (!counts) byHotkey.set(task.hotkey, (counts = zero()));
    counts[task.state]++;
  }
  const listOf = new Map(lists.map((l) => [l.env_id, l]));
  const minerOf = new Map(miners.map((m) => [m.hotkey, m]));
  return {
    takenAt: new Date().toISOString(),
    totals,
    envs: envIds.map((env) => {
      const list = listOf.get(env);
      return {
        env,
        ...byEnv.get(env)!,
        lastRotatedAt: list ? list.last_rotated_at.toISOString() : null,
        listVersion: list?.version ?? null,
      };
    }),
    miners: [...byHotkey.entries()]
      .map(([hotkey, counts]) => {
        const miner = minerOf.get(hotkey);
        const row = slotRows.get(hotkey);
        return {
          hotkey,
          uid: miner?.uid ?? null,
          revision: miner?.revision ?? null,
          ...counts,
          slots: effectiveSlots(row, input.defaultSlots),
          inFlight: counts.pending + counts.assigned,
          pinned: row?.pinned != null,
          schedulingPaused: row?.scheduling_paused ?? false,
          circuitOpen: snapshot.openCircuits.has(hotkey),
          circuitRetryAt: Number.isFinite(snapshot.openCircuits.get(hotkey)) ? snapshot.openCircuits.get(hotkey)! : null,
        };
      })
      .sort((a, b) => (a.uid ?? Number.MAX_SAFE_INTEGER) - (b.uid ?? Number.MAX_SAFE_INTEGER) || a.hotkey.localeCompare(b.hotkey)),
  };
}
