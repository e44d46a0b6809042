import type { Insertable, Kysely, Selectable } from 'kysely';
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
  const inserted = await db.insertInto('sampling_lists').values(row).onConflict((oc) => oc.column('env_id').doNothing()).returning('env_id').executeTakeFirst();
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
  await db.updateTable('sampling_lists').set({ ...settings }).where('env_id', '=', envId).execute();
}
