import type { Kysely } from 'kysely';
import type { Database, NewResult } from '../schema.ts';

/**
 * Writes a result once: the first write per (hotkey, revision, env, task id) wins and a retry of
 * the same attempt (same task uuid) is a no-op. Returns whether this call stored the row.
 */
export async function insertResult(db: Kysely<Database>, row: NewResult): Promise<boolean> {
  const inserted = await db.insertInto('results').values(row).onConflict((oc) => oc.doNothing()).returning('id').executeTakeFirst();
  return inserted !== undefined;
}
