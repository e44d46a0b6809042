import { sql, type Kysely } from 'kysely';
import type { Database, NewResult } from '../schema.ts';

/**
 * Writes a result once: the first write per (hotkey, revision, env, task id) wins and a retry of
 * the same attempt (same task uuid) is a no-op. Returns whether this call stored the row.
 */
export async function insertResult(db: Kysely<Database>, row: NewResult): Promise<boolean> {
  const inserted = await db.insertInto('results').values(row).onConflict((oc) => oc.doNothing()).returning('id').executeTakeFirst();
  return inserted !== undefined;
}

/** The identity of a result: which miner identity evaluated which task id of which env. */
export interface ResultKey {
  readonly hotkey: string;
  readonly revision: string;
  readonly env_id: string;
  readonly task_id: number;
}

/** Task ids with a result, grouped per (hotkey, revision, env). */
export interface ResultGroup {
  readonly hotkey: string;
  readonly revision: string;
  readonly env_id: string;
  readonly task_ids: number[];
}

/**
 * Every result of the active miners (or of `identities` among them), grouped per identity and
 * env: one query, an index-only range scan per miner (results_identity), no sort.
 */
export async function resultsOfActiveMiners(
  db: Kysely<Database>,
  identities?: { readonly hotkeys: readonly string[]; readonly revisions: readonly string[] },
): Promise<ResultGroup[]> {
  const only = identities
    ? sql`and (m.hotkey, m.revision) in (select * from unnest(${identities.hotkeys}::text[], ${identities.revisions}::text[]))`
    : sql``;
  const { rows } = await sql<ResultGroup>`
    select m.hotkey, m.revision, x.env_id, x.task_ids
    from miners m
    cross join lateral (
      select r.env_id, array_agg(r.task_id) as task_ids
      from results r
      where r.hotkey = m.hotkey and r.revision = m.revision
      group by r.env_id
    ) x
    where m.active ${only}
  `.execute(db);
  return rows;
}

/** Results of active miners on the given (env, task id) pairs, grouped per identity and env (one query). */
export async function resultsOfActiveMinersOn(
  db: Kysely<Database>,
  tasks: { readonly envIds: readonly string[]; readonly taskIds: readonly number[] },
): Promise<ResultGroup[]> {
  if (tasks.envIds.length === 0) return [];
  const { rows } = await sql<ResultGroup>`
    with wanted(env_id, task_id) as (select * from unnest(${tasks.envIds}::text[], ${tasks.taskIds}::int[]))
    select r.hotkey, r.revision, r.env_id, array_agg(r.task_id) as task_ids
    from results r
    join miners m on m.active and m.hotkey = r.hotkey and m.revision = r.revision
    join wanted w on w.env_id = r.env_id and w.task_id = r.task_id
    group by r.hotkey, r.revision, r.env_id
  `.execute(db);
  return rows;
}

/** Which of `keys` have a result (one query, one index probe per key). */
export async function existingResults(db: Kysely<Database>, keys: readonly ResultKey[]): Promise<ResultKey[]> {
  if (keys.length === 0) return [];
  const { rows } = await sql<ResultKey>`
    select c.hotkey, c.revision, c.env_id, c.task_id
    from unnest(${keys.map((k) => k.hotkey)}::text[], ${keys.map((k) => k.revision)}::text[],
                ${keys.map((k) => k.env_id)}::text[], ${keys.map((k) => k.task_id)}::int[]) as c(hotkey, revision, env_id, task_id)
    where exists (select 1 from results r where r.hotkey = c.hotkey and r.revision = c.revision and r.env_id = c.env_id and r.task_id = c.task_id)
  `.execute(db);
  return rows;
}
