import type { Kysely } from 'kysely';
import { BlockClock } from '../chain/block-clock.ts';
import { minerSourceFromConfig } from '../chain/configured-miner-source.ts';
import type { MinerSnapshot } from '../chain/miner-source.ts';
import type { Config } from '../config/schema.ts';
import type { Database } from '../db/schema.ts';
import { ensureMinerSlots } from '../db/tables/miner-slots.ts';
import { getSamplingLists } from '../db/tables/sampling-lists.ts';
import { adjustSlots } from '../pool/slots/adjust-slots.ts';
import type { Lifecycle } from '../runtime/lifecycle.ts';
import type { Logger } from '../runtime/logger.ts';
import { loadSamplingDefinitions } from '../sampling/definitions.ts';
import { ensureSamplingLists } from '../sampling/ensure-sampling-lists.ts';
import { rotateDueLists } from '../sampling/rotate-due-lists.ts';
import type { PeriodicTask } from '../scheduler/periodic-task.ts';
import { createRetentionTask } from '../scheduler/retention-task.ts';
import type { SchedulerDeps } from '../scheduler/scheduler-deps.ts';
import { createWeightsTask } from '../scheduler/weights-task.ts';

/** The scheduler's dependencies and extra periodic tasks, as `serve` runs them. */
export interface SchedulerWiring {
  readonly deps: SchedulerDeps;
  readonly tasks: readonly PeriodicTask[];
  /** Env ids that have a sampling-list definition (the pool schedules only these). */
  readonly envIds: readonly string[];
}

/**
 * Joins the rooms for the scheduler: sampling lists from `EVALPOOL_SAMPLING_LISTS_DIR` (created in
 * Postgres on first start, settings applied from the files), rotation, slots, miner discovery
 * (chain or static file), the rolling weights task and the retention of append-only tables. The miner source is closed by `lifecycle`.
 * A broken definition file stops the start with a message naming the file and field.
 */
export async function wireScheduler(config: Config, db: Kysely<Database>, logger: Logger, lifecycle: Lifecycle): Promise<SchedulerWiring> {
  const definitions = await loadSamplingDefinitions(config.scheduler.samplingListsDir);
  await ensureSamplingLists(db, definitions, logger.child({ component: 'sampling' }));
  const envIds = definitions.map((d) => d.envId);
  const defined = new Set(envIds);

  const source = minerSourceFromConfig(config, logger);
  lifecycle.defer('miner-source', () => source.close());
  let last: MinerSnapshot | undefined;
  const clock = new BlockClock();

  const deps: SchedulerDeps = {
    getCurrentLists: async (database) => (await getSamplingLists(database)).filter((l) => defined.has(l.env_id)),
    rotateDueLists: (database, now, log) => rotateDueLists(database, now, log, { envIds }),
    ensureMinerSlots: (database, hotkeys, defaultSlots) => ensureMinerSlots(database, hotkeys, defaultSlots),
    adjustSlots: (database, slots, now, log) => adjustSlots(database, slots, now, log),
    minerSource: {
      async refresh(signal) {
        last = await source.refresh(signal);
        return last;
      },
      ...(source.onChange ? { onChange: (listener: () => void) => source.onChange!(listener) } : {}),
    },
  };
  // Weights are stamped with the chain's block when miners come from the chain, else the clock's.
  const block = (): Promise<number> => Promise.resolve(last?.source === 'subtensor' ? last.block : clock.currentBlock());
  const weights = createWeightsTask({ db, config, logger: logger.child({ component: 'weights' }), block });
  const retention = createRetentionTask({ db, config, logger: logger.child({ component: 'retention' }) });
  return { deps, tasks: [weights, retention], envIds };
}
