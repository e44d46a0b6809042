import { getSamplingLists } from '../../src/db/tables/sampling-lists.ts';
import type { SchedulerDeps } from '../../src/scheduler/scheduler-deps.ts';

/**
 * Scheduler deps for tests that drive the pool by hand: lists as they are in the table, no
 * rotation, no slot rows written or adjusted, no miner source (the `miners` table is set directly).
 */
export function stubSchedulerDeps(): SchedulerDeps {
  return {
    getCurrentLists: (db) => getSamplingLists(db),
    rotateDueLists: () => Promise.resolve([]),
    ensureMinerSlots: () => Promise.resolve(undefined),
    adjustSlots: () => Promise.resolve(undefined),
  };
}
