import type { Kysely } from 'kysely';
import { DAY_MS, RETENTION_BATCH_ROWS, RETENTION_INTERVAL_MS, RETENTION_MAX_BATCHES } from '../config/constants.ts';
import type { Config } from '../config/schema.ts';
import type { Database } from '../db/schema.ts';
import { deleteOlderThan, type RetainedTable } from '../db/tables/retention.ts';
import type { Logger } from '../runtime/logger.ts';
import type { PeriodicTask } from './periodic-task.ts';

/**
 * The leader's retention of append-only tables (docs/design.md, "Moving parts": every queue and table has a retention rule):
 * attempts after `EVALPOOL_ATTEMPTS_RETENTION_DAYS`, unpublished score snapshots and slot history
 * after `EVALPOOL_HISTORY_RETENTION_DAYS`, in batches within a budget per run. Results, weights,
 * their snapshots and rotations are kept.
 */
export function createRetentionTask(
  deps: { readonly db: Kysely<Database>; readonly config: Pick<Config, 'scheduler'>; readonly logger: Logger },
  clock: () => Date = () => new Date(),
): PeriodicTask {
  const { scheduler } = deps.config;
  const ages: readonly [RetainedTable, number][] = [
    ['attempts', scheduler.attemptsRetentionDays],
    ['score_snapshots', scheduler.historyRetentionDays],
    ['slot_history', scheduler.historyRetentionDays],
  ];
  return {
    name: 'retention',
    intervalMs: RETENTION_INTERVAL_MS,
    async run(signal) {
      const now = clock().getTime();
      for (const [table, days] of ages) {
        const before = new Date(now - days * DAY_MS);
        let deleted = 0;
        for (let batch = 0; batch < RETENTION_MAX_BATCHES && !signal.aborted; batch++) {
          const n = await deleteOlderThan(deps.db, table, before, RETENTION_BATCH_ROWS);
          deleted += n;
          if (n < RETENTION_BATCH_ROWS) break;
        }
        if (deleted > 0) deps.logger.info({ table, deleted, before: before.toISOString() }, 'retention: deleted old rows');
      }
    },
  };
}
