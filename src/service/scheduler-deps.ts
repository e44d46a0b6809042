import { getSamplingLists } from '../db/tables/sampling-lists.ts';
import type { SchedulerDeps } from '../scheduler/scheduler-deps.ts';

/**
 * The scheduler's dependencies as `serve` wires them today. Parts other rooms deliver are
 * STUBS, each marked with what replaces it:
 * - lists: read from the `sampling_lists` table as they are (real);
 * - STUB rotateDueLists: no rotation yet (sampling: `rotateDueLists(db, now, logger)`);
 * - STUB ensureMinerSlots: nothing written; miners without a slots row get EVALPOOL_SLOTS_DEFAULT
 *   (slots: `ensureMinerSlots(db, hotkeys, defaultSlots)`);
 * - STUB adjustSlots: slots never change (slots: `adjustSlots(db, slotsConfig, now, logger)`);
 * - STUB minerSource: absent, so the `miners` table is read as it is and never refreshed
 *   (chain: the miner source from the chain module).
 */
export function schedulerDeps(): SchedulerDeps {
  return {
    getCurrentLists: (db) => getSamplingLists(db),
    rotateDueLists: () => Promise.resolve([]),
    ensureMinerSlots: () => Promise.resolve(undefined),
    adjustSlots: () => Promise.resolve(undefined),
  };
}
