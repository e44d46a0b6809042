import { createHash } from 'node:crypto';
import { type Kysely, type RawBuilder, sql } from 'kysely';
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
  const inserted = await db
    .insertInto('results')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
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

/**
 * Whether at least `minMiners` hotkeys other than `hotkey` played `env_id`'s task `task_id` out
 * since `since`: a stored result that solved it, or a failure that took steps and ended without an
 * error (the env ran the episode to its end). Truncated episodes (a timeout, a miner that stopped
 * answering after a few actions), measured non-answers and faults settled against a miner all
 * carry a message, so none is evidence: a sybil cannot make it with /reset and two actions. The
 * evidence the worker asks for at an unattributed fault's last attempt (container-outcome.ts); one
 * probe of `results_scoring` (env_id, task_id), whose few rows (one per miner and revision that
 * ran the id) are then read for their outcome and age.
 */
export async function playedByAnotherMiner(
  db: Kysely<Database>,
  task: { readonly env_id: string; readonly task_id: number; readonly hotkey: string },
  evidence: { readonly since: Date; readonly minMiners: number },
): Promise<boolean> {
  const found = await db
    .selectFrom('results')
    .select((eb) => eb.fn.count<string>('hotkey').distinct().as('miners'))
    .where('env_id', '=', task.env_id)
    .where('task_id', '=', task.task_id)
    .where('hotkey', '<>', task.hotkey)
    .where('created_at', '>=', evidence.since)
    .where((eb) =>
      eb.or([
        eb('success', '=', true),
        eb.and([eb('timesteps', '>', 0), eb.or([eb('error_message', 'is', null), eb('error_message', '=', '')])]),
      ]),
    )
    .executeTakeFirstOrThrow();
  return Number(found.miners) >= evidence.minMiners;
}

/**
 * Takes, for the rest of the transaction `trx`, one advisory lock per result identity, so that
 * two writers of the same identity (a worker that lost a task's lock and the one that took the
 * task over) run their ownership check and insert one after the other, never interleaved (see
 * ResultWriter). Locks are taken in ascending key order in one statement, so two batches that
 * share identities never deadlock. The key is the first 64 bits of a SHA-256 of the identity: a
 * collision only makes two unrelated writes wait for each other.
 */
export async function lockResultIdentities(trx: Kysely<Database>, identities: readonly ResultIdentity[]): Promise<void> {
  if (identities.length === 0) return;
  const keys = [...new Set(identities.map((i) => createHash('sha256').update(resultIdentityKey(i)).digest().readBigInt64BE(0)))].sort(
    (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  );
  await sql`select pg_advisory_xact_lock(k) from unnest(${keys.map(String)}::bigint[]) with ordinality as t(k, n) order by n`.execute(trx);
}

/** A string key of an identity, for maps and sets. */
export function resultIdentityKey(identity: ResultIdentity): string {
  return JSON.stringify([identity.hotkey, identity.revision, identity.env_id, identity.task_id]);
}

/**
 * One active miner's sums over its results in one scored env whose task id is in the env's
 * current sampling list (`results ∩ L_e`). Structurally a scoring aggregate plus the miner row id.
 */
export interface CurrentListAggregate {
  /** `miners.id` of the active (hotkey, revision) the results belong to. */
  readonly minerId: number;
  readonly uid: number;
  readonly envId: string;
  readonly n: number;
  readonly sum: number;
  readonly sumSq: number;
}

/**
 * The scoring aggregate, in one set-based query: every id of every scored env's current list,
 * joined with `results` on (env, task id) through the covering index `results_scoring`
 * (index-only, bounded by the lists and not by the history), summed per (hotkey, revision, env),
 * then kept only for active miners' current revision. Results of old revisions, inactive miners,
 * unscored envs and ids rotated out of a list do not count. A pair without results has no row.
 * Summing before joining `miners` keeps the hash aggregate small and in memory (≈0.5 s at 256
 * miners × 8 envs × 1,000 ids, see migration 0005).
 */
export async function aggregateCurrentListResults(db: Kysely<Database>): Promise<CurrentListAggregate[]> {
  const result = await currentListAggregateQuery().execute(db);
  return result.rows.map((r) => ({ minerId: r.miner_id, uid: r.uid, envId: r.env_id, n: r.n, sum: r.sum, sumSq: r.sum_sq }));
}

/** The query of {@link aggregateCurrentListResults} (exported for EXPLAIN in the history bench). */
export function currentListAggregateQuery(): RawBuilder<{
  miner_id: number;
  uid: number;
  env_id: string;
  n: number;
  sum: number;
  sum_sq: number;
}> {
  return sql`
    with current_list as (
      select distinct l.env_id, t.task_id
      from sampling_lists l cross join lateral unnest(l.task_ids) as t(task_id)
      where l.scored
    ), sums as (
      select r.hotkey, r.revision, r.env_id, count(*)::int as n, sum(r.score) as sum, sum(r.score * r.score) as sum_sq
      from current_list c
      join results r on r.env_id = c.env_id and r.task_id = c.task_id
      group by r.hotkey, r.revision, r.env_id
    )
    select m.id as miner_id, m.uid, s.env_id, s.n, s.sum, s.sum_sq
    from sums s
    join miners m on m.hotkey = s.hotkey and m.revision = s.revision
    where m.active
  `;
}

/** The newest result of a hotkey (any revision, any env). */
export interface LastResult {
  readonly hotkey: string;
  readonly revision: string;
  readonly envId: string;
  readonly taskId: number;
  readonly success: boolean;
  readonly score: number;
  readonly createdAt: Date;
}

/** The newest result of each given hotkey, by hotkey (one index probe each on `results_hotkey_time`). */
export async function getLastResults(db: Kysely<Database>, hotkeys: readonly string[]): Promise<Map<string, LastResult>> {
  if (hotkeys.length === 0) return new Map();
  const result = await sql<{
    hotkey: string;
    revision: string;
    env_id: string;
    task_id: number;
    success: boolean;
    score: number;
    created_at: Date;
  }>`
    select k.hotkey, r.revision, r.env_id, r.task_id, r.success, r.score, r.created_at
    from unnest(${[...hotkeys]}::text[]) as k(hotkey)
    cross join lateral (
      select revision, env_id, task_id, success, score, created_at
      from results where hotkey = k.hotkey order by created_at desc limit 1
    ) r
  `.execute(db);
  return new Map(
    result.rows.map((r) => [
      r.hotkey,
      {
        hotkey: r.hotkey,
        revision: r.revision,
        envId: r.env_id,
        taskId: r.task_id,
        success: r.success,
        score: r.score,
        createdAt: r.created_at,
      },
    ]),
  );
}

/** Task ids with a result, grouped per (hotkey, revision, env). */
export interface ResultGroup {
  readonly hotkey: string;
  readonly revision: string;
  readonly env_id: string;
  readonly task_ids: number[];
}

/** (env, task id) pairs, as two parallel arrays (one bind parameter each). */
export interface ListedTasks {
  readonly envIds: readonly string[];
  readonly taskIds: readonly number[];
}

/** One listed (env, task id) and the active miners (`miners.id`) that have a result on it. */
export interface ListedResult {
  readonly env_id: string;
  readonly task_id: number;
  readonly miner_ids: number[];
}

/**
 * Which active miners have a result on each given (env, task id), in one query. Bounded by the
 * pairs, never by the history: each pair is one index-only probe of `results_scoring`
 * (env_id, task_id) that returns the few identities that ran that id, matched against the active
 * rows of `miners` (a hash built once). Results of ids that left the lists (however many months
 * of them) are never read. The aggregate inside the LATERAL keeps the plan a loop of probes
 * whatever the estimates, and needs no sort: rows leave per pair, with small integer ids instead
 * of 48-character hotkeys (a sort of ~2 M rows by hotkey took most of 30 s on a loaded machine).
 */
export async function listedResultsOfActiveMiners(db: Kysely<Database>, tasks: ListedTasks): Promise<ListedResult[]> {
  if (tasks.envIds.length === 0) return [];
  const { rows } = await listedResultsQuery(tasks).execute(db);
  return rows;
}

/** The query of {@link listedResultsOfActiveMiners} (exported for EXPLAIN in the history bench). */
export function listedResultsQuery(tasks: ListedTasks): RawBuilder<ListedResult> {
  return sql<ListedResult>`
    with active as materialized (select id, hotkey, revision from miners where active)
    select w.env_id, w.task_id, x.miner_ids
    from unnest(${tasks.envIds}::text[], ${tasks.taskIds}::int[]) as w(env_id, task_id)
    cross join lateral (
      select array_agg(a.id) as miner_ids
      from results r
      join active a on a.hotkey = r.hotkey and a.revision = r.revision
      where r.env_id = w.env_id and r.task_id = w.task_id
    ) x
    where x.miner_ids is not null
  `;
}

/**
 * Results of a few active identities on the given (env, task id) pairs, grouped per identity and
 * env: each (identity, env) is one probe of `results_identity` per listed id, so a new identity
 * costs its listed ids, not its history nor every identity's results on them.
 */
export async function identityResultsOn(
  db: Kysely<Database>,
  tasks: ListedTasks,
  identities: { readonly hotkeys: readonly string[]; readonly revisions: readonly string[] },
): Promise<ResultGroup[]> {
  if (tasks.envIds.length === 0 || identities.hotkeys.length === 0) return [];
  const { rows } = await sql<ResultGroup>`
    with lists as (
      select env_id, array_agg(task_id) as task_ids
      from unnest(${tasks.envIds}::text[], ${tasks.taskIds}::int[]) as w(env_id, task_id)
      group by env_id
    )
    select m.hotkey, m.revision, l.env_id, x.task_ids
    from miners m
    join unnest(${identities.hotkeys}::text[], ${identities.revisions}::text[]) as i(hotkey, revision)
      on i.hotkey = m.hotkey and i.revision = m.revision
    cross join lists l
    cross join lateral (
      select array_agg(r.task_id) as task_ids
      from results r
      where r.hotkey = m.hotkey and r.revision = m.revision and r.env_id = l.env_id and r.task_id = any(l.task_ids)
    ) x
    where m.active and x.task_ids is not null
  `.execute(db);
  return rows;
}

/** Which of `keys` have a result (one query, one index probe per key). */
export async function existingResults(db: Kysely<Database>, keys: readonly ResultIdentity[]): Promise<ResultIdentity[]> {
  if (keys.length === 0) return [];
  const { rows } = await sql<ResultIdentity>`
    select c.hotkey, c.revision, c.env_id, c.task_id
    from unnest(${keys.map((k) => k.hotkey)}::text[], ${keys.map((k) => k.revision)}::text[],
                ${keys.map((k) => k.env_id)}::text[], ${keys.map((k) => k.task_id)}::int[]) as c(hotkey, revision, env_id, task_id)
    where exists (select 1 from results r where r.hotkey = c.hotkey and r.revision = c.revision and r.env_id = c.env_id and r.task_id = c.task_id)
  `.execute(db);
  return rows;
}
