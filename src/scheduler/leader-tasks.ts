import type { Kysely } from 'kysely';
import type { BlockClock } from '../chain/block-clock.ts';
import type { MinerSnapshot, MinerSource } from '../chain/miner-source.ts';
import { MINER_DECLARATION_CHECK_MS } from '../config/constants.ts';
import type { Config } from '../config/schema.ts';
import type { Database } from '../db/schema.ts';
import { ensureMinerSlots } from '../db/tables/miner-slots.ts';
import { syncMiners } from '../db/tables/miners.ts';
import { getSamplingLists } from '../db/tables/sampling-lists.ts';
import type { PoolList } from '../pool/pool-list.ts';
import { adjustSlots } from '../pool/slots/adjust-slots.ts';
import type { TaskPool } from '../pool/task-pool.ts';
import { DistinctMessages } from '../runtime/distinct-messages.ts';
import type { Logger } from '../runtime/logger.ts';
import type { EvalpoolMetrics } from '../runtime/metrics.ts';
import { rotateDueLists } from '../sampling/rotate-due-lists.ts';
import type { PeriodicTask } from './periodic-task.ts';
import { refreshDeclarations } from './refresh-declarations.ts';
import { createRetentionTask } from './retention-task.ts';
import type { StatusWriter } from './scheduler-status.ts';
import { createWeightsTask } from './weights-task.ts';

/**
 * Where miners come from (chain or static file). After its first success `refresh` must not
 * reject on I/O failures but return the last known miners with `stale` set (an outage must never
 * empty the pool). Closed by whoever created it.
 */
export type LeaderMinerSource = Pick<MinerSource, 'refresh' | 'onChange'>;

/** What the leader's tasks work with. */
export interface LeaderTaskContext {
  readonly config: Pick<Config, 'scheduler' | 'slots' | 'chain' | 'scoring'>;
  readonly db: Kysely<Database>;
  readonly pool: TaskPool;
  readonly status: StatusWriter;
  /** The scheduler's logger (component `scheduler`). */
  readonly logger: Logger;
  /** The process's logger: the weights and retention tasks log under their own component. */
  readonly rootLogger: Logger;
  /** Miner discovery; absent = the `miners` table is managed elsewhere and only read. */
  readonly minerSource?: LeaderMinerSource;
  /** The block weights are stamped with when miners do not come from the chain. */
  readonly blockClock: Pick<BlockClock, 'currentBlock'>;
  /** Envs with a sampling-list definition (the pool schedules only these); absent = every stored list. */
  readonly envIds?: readonly string[];
  /** Where tick durations and rotations are recorded; absent = not recorded. */
  readonly metrics?: EvalpoolMetrics;
}

/**
 * Every periodic task of the leader, in the order they run at the start of a term: miners (when
 * a source is given), declarations (so that the first tick already knows what miners declared),
 * reconcile, tick, paused-ttl, weights, retention; slots one interval later. Ties run in list
 * order, so slots is listed before weights and retention: when due together it runs first.
 * Reconciliation's period is `reconcileEveryTicks` ticks.
 */
export function leaderTasks(c: LeaderTaskContext): PeriodicTask[] {
  const { scheduler, slots, chain } = c.config;
  const tasks: PeriodicTask[] = [];
  const defined = c.envIds ? new Set(c.envIds) : undefined;
  const currentLists = async (): Promise<readonly PoolList[]> =>
    (await getSamplingLists(c.db)).filter((l) => defined === undefined || defined.has(l.env_id));
  const source = c.minerSource;
  let last: MinerSnapshot | undefined;
  if (source) {
    // One log line per change of the discovery's state, not one per refresh.
    const staleErrors = new DistinctMessages();
    tasks.push({
      name: 'miners',
      intervalMs: chain.refreshSeconds * 1_000,
      // A watched miners file that changed is read at once, before the next tick.
      ...(source.onChange ? { wakeOn: (wake: () => void) => source.onChange!(wake) } : {}),
      async run(signal) {
        const snapshot = await source.refresh(signal);
        last = snapshot;
        if (!snapshot.stale) staleErrors.reset();
        else if (staleErrors.changed(snapshot.stale.error))
          c.logger.warn({ block: snapshot.block, err: snapshot.stale.error }, 'miner discovery failed: keeping the last known miners');
        const changes = await syncMiners(c.db, snapshot.miners, new Date());
        await c.status.miners({
          at: new Date().toISOString(),
          block: snapshot.block,
          active: changes.active,
          excluded: snapshot.excluded?.length ?? 0,
          ...(snapshot.stale ? { stale: { since: snapshot.stale.since.toISOString(), error: snapshot.stale.error } } : {}),
        });
        await ensureMinerSlots(
          c.db,
          snapshot.miners.map((m) => m.hotkey),
          slots.default,
        );
        if (changes.activated.length + changes.deactivated.length + changes.updated.length > 0) {
          c.logger.info(
            {
              active: changes.active,
              activated: changes.activated.length,
              deactivated: changes.deactivated.length,
              updated: changes.updated.length,
              block: snapshot.block,
            },
            'miners changed',
          );
        }
      },
    });
  }
  tasks.push({
    name: 'declarations',
    intervalMs: MINER_DECLARATION_CHECK_MS,
    async run(signal) {
      await refreshDeclarations(c.db, { max: slots.max }, new Date(), signal, c.logger);
    },
  });
  tasks.push({
    name: 'reconcile',
    intervalMs: scheduler.tickMs * scheduler.reconcileEveryTicks,
    async run(signal) {
      await c.pool.reconcile(await currentLists(), signal);
    },
  });
  tasks.push({
    name: 'tick',
    intervalMs: scheduler.tickMs,
    async run(signal) {
      const startedAt = Date.now();
      const rotations = await rotateDueLists(c.db, new Date(startedAt), c.logger, c.envIds ? { envIds: c.envIds } : {});
      for (const r of rotations) c.metrics?.rotations.inc({ env: r.envId });
      await c.status.rotations(rotations, new Date(startedAt));
      signal.throwIfAborted();
      const lists = await currentLists();
      // Each env's rotation counter exists from its first tick (at 0), not only from its first rotation.
      for (const l of lists) c.metrics?.rotations.inc({ env: l.env_id }, 0);
      const report = await c.pool.topUp(lists, Date.now(), signal);
      const durationMs = Date.now() - startedAt;
      c.metrics?.schedulerTickDuration.observe(durationMs / 1_000);
      await c.status.tick(startedAt, durationMs, { ...report, rotations: rotations.length });
      c.logger.debug({ ...report, rotations: rotations.length, durationMs }, 'tick');
    },
  });
  tasks.push({
    name: 'paused-ttl',
    intervalMs: scheduler.pausedCleanupIntervalSeconds * 1_000,
    async run(signal) {
      await c.pool.cleanPaused(await currentLists(), signal);
    },
  });
  tasks.push({
    name: 'slots',
    intervalMs: slots.adjustIntervalSeconds * 1_000,
    runAtStart: false,
    async run() {
      await adjustSlots(c.db, slots, new Date(), c.logger);
    },
  });
  // Weights are stamped with the chain's block when miners come from the chain, else the clock's.
  const block = (): Promise<number> => Promise.resolve(last?.source === 'subtensor' ? last.block : c.blockClock.currentBlock());
  tasks.push(createWeightsTask({ db: c.db, config: c.config, logger: c.rootLogger, block }));
  tasks.push(createRetentionTask({ db: c.db, config: c.config, logger: c.rootLogger.child({ component: 'retention' }) }));
  return tasks;
}
