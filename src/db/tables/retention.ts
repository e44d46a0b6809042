import { type Kysely, sql } from 'kysely';
import type { Database } from '../schema.ts';

/** Tables the leader trims, and what of them may go: results and weights are never deleted. */
export type RetainedTable = 'attempts' | 'score_snapshots' | 'slot_history';

const TIME_COLUMN: Readonly<Record<RetainedTable, string>> = {
  attempts: 'created_at',
  score_snapshots: 'created_at',
  slot_history: 'created_at',
};

/**
 * Deletes up to `limit` rows of `table` older than `before` and returns how many went. Score
 * snapshots of published weights are kept (`/v1/scores/{id}` and the weights' metadata point at
 * them); only the snapshots of passes that published nothing go (found through the partial index
 * `score_snapshots_live_time`, so the publications kept are never read). The ids are collected
 * first and deleted by primary key (`= any(array(…))`), so a batch reads the rows it deletes and
 * never the whole table (an `in (subquery)` may be planned as a hash join over a table scan).
 */
export async function deleteOlderThan(db: Kysely<Database>, table: RetainedTable, before: Date, limit: number): Promise<number> {
  const keep = table === 'score_snapshots' ? sql`and weights_id is null` : sql``;
  const result = await sql`
    delete from ${sql.table(table)} where id = any(array(
      select id from ${sql.table(table)} where ${sql.ref(TIME_COLUMN[table])} < ${before} ${keep} limit ${limit}
    ))
  `.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
