import type { Kysely, Selectable } from 'kysely';
import type { Database, SamplingListsTable } from '../schema.ts';

/** A sampling list as stored: `task_ids` oldest first. */
export type SamplingListRow = Selectable<SamplingListsTable>;

/** Every environment's current sampling list, by env id. */
export async function getSamplingLists(db: Kysely<Database>): Promise<SamplingListRow[]> {
  return db.selectFrom('sampling_lists').selectAll().orderBy('env_id').execute();
}
