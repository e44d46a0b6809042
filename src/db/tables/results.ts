import type { Kysely } from 'kysely';
import type { Database, NewResult } from '../schema.ts';

/** What makes a result unique: one result per (hotkey, revision, env, task id). */
export interface ResultIdentity {
  readonly hotkey: string;
  readonly revision: string;
  readonly env_id: string;
  readonly task_id: number;
}

/**
 * Writes a result once: the first write per (hotkey, revision, env, task id) wins and a retry of
 * the same attempt (same task uuid) is a no-op. Returns whether this call stored the row.
 */
export async function insertResult(db: Kysely<Database>, row: NewResult): Promise<boolean> {
  const inserted = await db.insertInto('results').values(row).onConflict((oc) => oc.doNothing()).returning('id').executeTakeFirst();
  return inserted !== undefined;
}

/**
 * Writes many results in one statement with the same first-write-wins rule as
 * {@link insertResult}. Returns the identities of the rows this call stored (the others already
 * existed, or repeated an identity earlier in `rows`).
 */
export async function insertResults(db: Kysely<Database>, rows: readonly NewResult[]): Promise<ResultIdentity[]> {
  if (rows.length === 0) return [];
  return db
    .insertInto('results')
    .values([...rows])
    .onConflict((oc) => oc.doNothing())
    .returning(['hotkey', 'revision', 'env_id', 'task_id'])
    .execute();
}

/** Whether a result with this identity is stored. */
export async function resultExists(db: Kysely<Database>, identity: ResultIdentity): Promise<boolean> {
  const found = await db
    .selectFrom('results')
    .select('id')
    .where('hotkey', '=', identity.hotkey)
    .where('revision', '=', identity.revision)
    .where('env_id', '=', identity.env_id)
    .where('task_id', '=', identity.task_id)
    .executeTakeFirst();
  return found !== undefined;
}

/** A string key of an identity, for maps and sets. */
export function resultIdentityKey(identity: ResultIdentity): string {
  return JSON.stringify([identity.hotkey, identity.revision, identity.env_id, identity.task_id]);
}
