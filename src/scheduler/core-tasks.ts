import type { Kysely } from 'kysely';
import { MINER_DECLARATION_CHECK_MS } from '../config/constants.ts';
import type { Config } from '../config/schema.ts';
import type { Database } from '../db/schema.ts';
import { syncMiners } from '../db/tables/miners.ts';
import type { TaskPool } from '../pool/task-pool.ts';
import type { Logger } from '../runtime/logger.ts';
import type { EvalpoolMetrics } from '../runtime/metrics.ts';
import type { PeriodicTask } from './periodic-task.ts';
import { refreshDeclarations } from './refresh-declarations.ts';
import type { SchedulerDeps } from './scheduler-deps.ts';
import type { StatusWriter } from './scheduler-status.ts';

/** What the core tasks work with. */
export interface CoreTaskContext {
  readonly config: Pick<Config, 'scheduler' | 'slots' | 'chain'>;
  readonly db: Kysely<Database>;
  readonly deps: SchedulerDeps;
  readonly pool: TaskPool;
  readonly status: StatusWriter;
  readonly logger: Logger;
  /** Where tick durations and rotations are recorded; absent = not recorded. */
  readonly metrics?: EvalpoolMetrics;
}

/**
 * The leader's own periodic tasks, in the order they run at the start of a term: miners (when a
 * source is wired), declarations (so that the first tick already knows what miners declared),
 * reconcile, tick, paused-ttl; then slots one interval later. Reconciliation's
 * period is `reconcileEveryTicks` ticks.
 */
export function coreTasks(c: CoreTaskContext): PeriodicTask[] {
  const { scheduler, slots, chain } = c.config;
  const tasks: PeriodicTask[] = [];
  const source = c.deps.minerSource;
  if (source) {
    // One log line per change of the discovery's state, not one per refresh.
    let staleError: string | undefined;
    tasks.push({
      name: 'miners',
      intervalMs: chain.refreshSeconds * 1_000,
      // A watched miners file that changed is read at once, before the next tick.
      ...(source.onChange ? { wakeOn: (wake: () => void) => source.onChange!(wake) } : {}),
      async run(signal) {
        const snapshot = await source.refresh(signal);
        if (snapshot.stale && snapshot.stale.error !== staleError)
          c.logger.warn({ block: snapshot.block, err: snapshot.stale.error }, 'miner discovery failed: keeping the last known miners');
        staleError = snapshot.stale?.error;
        const changes = await syncMiners(c.db, snapshot.miners, new Date());
        await c.status.miners({
          at: new Date().toISOString(),
          block: snapshot.block,
          active: changes.active,
          excluded: snapshot.excluded?.length ?? 0,
          ...(snapshot.stale ? { stale: { since: snapshot.stale.since.toISOString(), error: snapshot.stale.error } } : {}),
        });
        await c.deps.ensureMinerSlots(
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
      await c.pool.reconcile(await c.deps.getCurrentLists(c.db), signal);
    },
  });
  tasks.push({
    name: 'tick',
    intervalMs: scheduler.tickMs,
    async run(signal) {
      const startedAt = Date.now();
      const rotations = await c.deps.rotateDueLists(c.db, new Date(startedAt), c.logger);
      for (const r of rotations) c.metrics?.rotations.inc({ env: r.envId });
      await c.status.rotations(rotations, new Date(startedAt));
      signal.throwIfAborted();
      const lists = await c.deps.getCurrentLists(c.db);
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
      await c.pool.cleanPaused(await c.deps.getCurrentLists(c.db), signal);
    },
  });
  tasks.push({
    name: 'slots',
    intervalMs: slots.adjustIntervalSeconds * 1_000,
    runAtStart: false,
    async run() {
      await c.deps.adjustSlots(c.db, slots, new Date(), c.logger);
    },
  });
  return tasks;
}
