import { type Insertable, type Kysely, type Selectable, sql } from 'kysely';
import type { Database, SamplingListsTable } from '../schema.ts';

/** A sampling list as stored: `task_ids` oldest first. */
export type SamplingListRow = Selectable<SamplingListsTable>;
/** A sampling list to create. */
export type NewSamplingList = Insertable<SamplingListsTable>;

/** The settings of a list that can change without touching its ids. */
export interface SamplingListSettings {
  readonly family: string;
  readonly rotation_count: number;
  readonly rotation_interval_seconds: number;
  readonly scored: boolean;
}

/** Every environment's current sampling list, by env id. */
export async function getSamplingLists(db: Kysely<Database>): Promise<SamplingListRow[]> {
  return db.selectFrom('sampling_lists').selectAll().orderBy('env_id').execute();
}

/** One environment's list, if it exists. */
export async function getSamplingList(db: Kysely<Database>, envId: string): Promise<SamplingListRow | undefined> {
  return db.selectFrom('sampling_lists').selectAll().where('env_id', '=', envId).executeTakeFirst();
}

/** Creates a list unless one exists for the env (another leader may have been first); returns whether this call created it. */
export async function insertSamplingList(db: Kysely<Database>, row: NewSamplingList): Promise<boolean> {
  const inserted = await db
    .insertInto('sampling_lists')
    .values(row)
    .onConflict((oc) => oc.column('env_id').doNothing())
    .returning('env_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/**
 * Replaces a list's ids, only if its version is still `readVersion` (so a rotation computed
 * from a stale read never applies twice): bumps the version and sets `last_rotated_at`.
 * `dataset`/`listSize` are given when a forced redefinition changes them.
 * Returns the new version, or undefined when the version moved (someone else rotated first).
 */
export async function replaceTaskIds(
  db: Kysely<Database>,
  change: {
    readonly envId: string;
    readonly readVersion: number;
    readonly taskIds: readonly number[];
    readonly at: Date;
    readonly dataset?: { readonly start: number; readonly end: number };
    readonly listSize?: number;
  },
): Promise<number | undefined> {
  const updated = await db
    .updateTable('sampling_lists')
    .set((eb) => ({
      task_ids: [...change.taskIds],
      version: eb('version', '+', 1),
      last_rotated_at: change.at,
      ...(change.dataset && { dataset_start: change.dataset.start, dataset_end: change.dataset.end }),
      ...(change.listSize !== undefined && { list_size: change.listSize }),
    }))
    .where('env_id', '=', change.envId)
    .where('version', '=', change.readVersion)
    .returning('version')
    .executeTakeFirst();
  return updated?.version;
}

/** Updates the settings that do not change the ids (rotation, scored, family). */
export async function updateSamplingListSettings(db: Kysely<Database>, envId: string, settings: SamplingListSettings): Promise<void> {
  await db
    .updateTable('sampling_lists')
    .set({ ...settings })
    .where('env_id', '=', envId)
    .execute();
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
