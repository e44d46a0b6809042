import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, SamplingListsTable } from '../schema.ts';

/** A sampling list as stored: `task_ids` oldest first. */
export type SamplingListRow = Selectable<SamplingListsTable>;

/** Every environment's current sampling list, by env id. */
export async function getSamplingLists(db: Kysely<Database>): Promise<SamplingListRow[]> {
  return db.selectFrom('sampling_lists').selectAll().orderBy('env_id').execute();
}

/** A scored env and the number of distinct ids in its current list (`|L_e|` of scoring). */
export interface ScoredListSize {
  readonly envId: string;
  readonly listSize: number;
}

/**
 * `|L_e|` of every scored env, counted from the list itself (not the configured `list_size`), so
 * that it matches what the scoring aggregate joins. Empty lists are left out: nothing can be
 * covered on them.
 */
export async function getScoredListSizes(db: Kysely<Database>): Promise<ScoredListSize[]> {
  const result = await sql<{ env_id: string; list_size: number }>`
    select l.env_id, (select count(distinct t) from unnest(l.task_ids) t)::int as list_size
    from sampling_lists l
    where l.scored and cardinality(l.task_ids) > 0
    order by l.env_id
  `.execute(db);
  return result.rows.map((r) => ({ envId: r.env_id, listSize: r.list_size }));
}

/** A sampling list without its ids (they are not public): what `/v1/environments` shows. */
export type SamplingListSummary = Omit<SamplingListRow, 'task_ids'> & {
  /** Ids in the current list (normally `list_size`). */
  readonly current_size: number;
};

/** Every environment's sampling settings and rotation state, by env id, without the ids. */
export async function getSamplingListSummaries(db: Kysely<Database>): Promise<SamplingListSummary[]> {
  return db
    .selectFrom('sampling_lists')
    .select([
      'env_id',
      'family',
      'dataset_start',
      'dataset_end',
      'list_size',
      'rotation_count',
      'rotation_interval_seconds',
      'scored',
      'version',
      'created_at',
      'last_rotated_at',
      sql<number>`cardinality(task_ids)`.as('current_size'),
    ])
    .orderBy('env_id')
    .execute();
}
