/**
 * A database as months of operation leave it, seeded set-based in Postgres (used by the history
 * bench and by the test that the hot queries do not read history).
 *
 * The present is the same at every multiplier: `miners` uids × `envs` scored envs × `listSize`-id
 * lists. One uid in ten is new (no result at all); the others covered ~98% of the current lists.
 * Behind it lie `multiplier - 1` past list lifetimes (3 days each): every listed id of lifetime
 * p was p·listSize + i (all rotated out since), and every miner evaluated it in full. Even uids
 * never re-committed (their whole history is the active identity's); odd uids re-commit every
 * third lifetime (retired revisions, inactive `miners` rows), and their previous revision also
 * ran 30% of the current ids. Hotkeys are 48-character base58 strings starting with 5 (SS58 of
 * substrate keys); revisions are 8 hex characters.
 *
 * The other tables as the running system leaves them: `attempts` one row per finished attempt
 * (the scored one of each result, and unscored ones before ~5% of them) for the last
 * `ATTEMPTS_DAYS` only (the leader's retention deletes older ones); one weights publication with
 * its score snapshot every `PUBLISH_EVERY_MINUTES` over the whole history (kept forever), live
 * snapshots and slot history within the last `HISTORY_DAYS` (retention), one rotation record per
 * 50 ids replaced, `miner_slots` for every hotkey.
 *
 * Speed: rows come from `generate_series` joined with a small identity table (no per-row
 * hashing), in several statements at once on separate connections (one per lifetime range),
 * into `results`/`attempts` without their indexes; the indexes and constraints are then built
 * once from their own definitions (sorted builds instead of tens of millions of random index
 * inserts) and checked to be the same set as before, then `vacuum (analyze)` as autovacuum
 * would have by then (index-only scans need the visibility map).
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../src/db/schema.ts';

export interface HistoryShape {
  readonly miners: number;
  readonly envs: number;
  readonly listSize: number;
  /** List lifetimes of history, the current one included (1 = a young database). */
  readonly multiplier: number;
}

export interface SeedFigures {
  readonly results: number;
  readonly attempts: number;
  readonly scoreSnapshots: number;
  readonly seconds: number;
  /** Seconds per step (load, indexes, vacuum, ...), in order. */
  readonly steps: Readonly<Record<string, number>>;
}

/** A miner with an odd uid re-commits every this many list lifetimes. */
export const RECOMMIT_EVERY = 3;
const LIFETIME_DAYS = 3;
/** `EVALPOOL_ATTEMPTS_RETENTION_DAYS`' default: older attempts are gone. */
const ATTEMPTS_DAYS = 7;
/** `EVALPOOL_HISTORY_RETENTION_DAYS`' default: older live snapshots and slot history are gone. */
const HISTORY_DAYS = 30;
/** A pass runs every minute; weights change whenever results arrive, published at most this often here. */
const PUBLISH_EVERY_MINUTES = 5;
const ROTATION_COUNT = 50;

/** The env ids of a seeded database. */
export function historyEnvIds(envs: number): string[] {
  return Array.from({ length: envs }, (_, e) => `mujoco/env-${e}-v1`);
}

/** The era (revision period) of lifetime `p`; the current lifetime is `multiplier - 1`. */
const era = (p: number): number => Math.floor(p / RECOMMIT_EVERY);

/**
 * Seeds `shape` into a migrated, empty database, `connections` statements at once (give the
 * pool that many). The seeded weights rows have blocks 1 … {@link seededBlocks}: publish above.
 */
export async function seedHistory(
  db: Kysely<Database>,
  shape: HistoryShape,
  connections = 2,
  progress?: (line: string) => void,
): Promise<SeedFigures> {
  const started = performance.now();
  const steps: Record<string, number> = {};
  const step = async <T>(name: string, body: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    const value = await body();
    steps[name] = (performance.now() - t) / 1000;
    progress?.(`${name}: ${steps[name].toFixed(1)} s`);
    return value;
  };
  const { miners, envs, listSize, multiplier } = shape;
  const current = multiplier - 1;
  const currentEra = era(current);
  const lifetime = `${LIFETIME_DAYS} days`;
  const rotationsPerLifetime = Math.max(1, Math.floor(listSize / ROTATION_COUNT));
  const rotations = current * rotationsPerLifetime;

  await step('identities, lists, miners', async () => {
    // Every (uid, era) identity; even uids keep era 0's revision. Era -1 is the revision before the first.
    await sql`
      create unlogged table seed_identity as
      select m as uid, k as era,
             '5' || (select string_agg(substr('123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz', 1 + get_byte(d, j) % 58, 1), '' order by j)
                     from (select sha256(convert_to('hotkey' || m, 'UTF8')) || sha256(convert_to('hotkey2' || m, 'UTF8')) as d) h,
                          generate_series(0, 46) j) as hotkey,
             substr(md5(m || 'r' || case when m % 2 = 0 then 0 else k end), 1, 8) as revision
      from generate_series(0, ${miners - 1}) m, generate_series(-1, ${currentEra}) k`.execute(db);
    await sql`analyze seed_identity`.execute(db);
    await sql`
      insert into sampling_lists (env_id, family, task_ids, dataset_start, dataset_end, list_size, rotation_count, rotation_interval_seconds, scored, version, created_at, last_rotated_at)
      select e, 'builtin', array(select ${current * listSize} + i from generate_series(0, ${listSize - 1}) i), 0, 10000000, ${listSize}, ${ROTATION_COUNT},
             ${Math.round((LIFETIME_DAYS * 86_400 * ROTATION_COUNT) / listSize)}, true, ${rotations}, now() - ${multiplier} * ${lifetime}::interval, now() - interval '1 hour'
      from unnest(${historyEnvIds(envs)}::text[]) e`.execute(db);
    // Rotation records: each replaced ROTATION_COUNT ids of the previous lifetime with the next's.
    await sql`
      insert into rotations (env_id, version, rotated_at, ids_out, ids_in, reason)
      select l.env_id, v + 1, now() - ${current} * ${lifetime}::interval + v * (${lifetime}::interval / ${rotationsPerLifetime}),
             array(select v * ${ROTATION_COUNT} + j from generate_series(0, ${ROTATION_COUNT - 1}) j),
             array(select (v + ${rotationsPerLifetime}) * ${ROTATION_COUNT} + j from generate_series(0, ${ROTATION_COUNT - 1}) j), 'schedule'
      from sampling_lists l, generate_series(0, ${rotations - 1}) v`.execute(db);
    // Active identities, and the retired revisions of odd uids (every earlier era, and era -1).
    await sql`
      insert into miners (uid, hotkey, revision, endpoint, committed_block, active, first_seen_at, last_seen_at)
      select uid, hotkey, revision, 'http://127.0.0.1:9/' || uid, 1000 + uid + era * 100000, era = ${currentEra},
             now() - ${multiplier} * ${lifetime}::interval, now()
      from seed_identity
      where era = ${currentEra} or (uid % 2 = 1 and uid % 10 <> 0)`.execute(db);
    await sql`
      insert into miner_slots (hotkey, slots, updated_at)
      select hotkey, 8 + uid % 9, now() - interval '1 hour' from miners where active`.execute(db);
  });

  const results = await withoutIndexes(db, ['results', 'attempts'], steps, async () => {
    const columns = sql`(id, task_uuid, env_id, task_id, uid, hotkey, revision, success, score, reward, timesteps, error_class, latency_ms, duration_ms, worker_id, created_at)`;
    /** Rows of `ids` by identity era `rev`, in time order (lifetime, listed id, miner, env), numbered from `base`. */
    const rows = (p: RawSql, ids: RawSql, rev: RawSql, coverage: RawSql, start: RawSql, base: RawSql) => sql`
      select ${base} + ((p.p * ${listSize} + i.i) * ${miners} + k.uid) * ${envs} + l.e,
             gen_random_uuid(), l.env_id, ${ids}, k.uid, k.hotkey, k.revision,
             (k.uid * 7 + l.e * 13 + i.i) % 17 < 9, case when (k.uid * 7 + l.e * 13 + i.i) % 17 < 9 then 1 else 0 end,
             (k.uid * 7 + l.e * 13 + i.i) % 17 * 10.5, 200 + (i.i % 300), case when (k.uid * 7 + l.e * 13 + i.i) % 17 < 9 then 'success' else 'failure' end,
             2.5 + (i.i % 40) / 10.0, 800 + (k.uid * 31 + i.i) % 900, 'worker-' || (i.i % 6), ${start} + i.i * (${lifetime}::interval / ${listSize}) + (k.uid * ${envs} + l.e) * interval '1 ms'
      from ${p} cross join generate_series(0, ${listSize - 1}) i(i)
      join seed_identity k on k.era = ${rev} and k.uid % 10 <> 0
      cross join (select e, 'mujoco/env-' || e || '-v1' from generate_series(0, ${envs - 1}) e) l(e, env_id)
      where ${coverage}`;
    const history = (from: number, to: number) =>
      sql`insert into results ${columns} ${rows(
        sql`generate_series(${from}::int, ${to}::int) p(p)`,
        sql`p.p * ${listSize} + i.i`,
        sql`case when k.uid % 2 = 0 then 0 else p.p / ${RECOMMIT_EVERY} end`,
        sql`true`,
        sql`now() - (${current} - p.p + 1) * ${lifetime}::interval`,
        sql`0`,
      )}`;
    const statements: RawSql[] = [];
    // Lifetimes 0 … current-1 in `connections` ranges (whole lifetimes each).
    const chunk = Math.ceil(current / connections);
    for (let from = 0; from < current; from += chunk) statements.push(history(from, Math.min(current, from + chunk) - 1));
    // The present (active revisions, ~98% of the current ids), and the previous revision of odd
    // uids on 30% of them (ids numbered above the history's).
    const presentBase = sql`${(multiplier + 1) * listSize * miners * envs}::bigint`;
    statements.push(
      sql`insert into results ${columns} ${rows(
        sql`(select ${current}::int) p(p)`,
        sql`${current * listSize} + i.i`,
        sql`case when k.uid % 2 = 0 then 0 else ${currentEra} end`,
        sql`(k.uid * 31 + l.e * 7 + i.i * 13) % 50 <> 0`,
        sql`now() - ${lifetime}::interval`,
        sql`0`,
      )}`,
    );
    statements.push(
      sql`insert into results ${columns} ${rows(
        sql`(select ${current}::int) p(p)`,
        sql`${current * listSize} + i.i`,
        sql`${currentEra - 1}`,
        sql`k.uid % 2 = 1 and i.i < ${Math.round(0.3 * listSize)}`,
        sql`now() - ${lifetime}::interval - interval '12 hours'`,
        presentBase,
      )}`,
    );
    await step('results (rows)', () => inParallel(db, connections, statements));
    // Attempts within retention: the scored attempt of each result (attempt 2 after an
    // unscored first one for ~5%), and those unscored first attempts.
    // One scan of results: x = 0 is the scored attempt, x = 1 the unscored one before it.
    await step('attempts (rows)', async () => {
      await sql`
        insert into attempts (task_uuid, attempt, env_id, task_id, uid, hotkey, revision, error_class, error_message, duration_ms, worker_id, created_at)
        select r.task_uuid, case when x = 1 then 1 when r.id % 20 = 0 then 2 else 1 end, r.env_id, r.task_id, r.uid, r.hotkey, r.revision,
               case when x = 0 then r.error_class when r.id % 100 = 0 then 'env_error' else 'miner_unavailable' end,
               case when x = 0 then null when r.id % 100 = 0 then 'env container exited (137)' else 'connect ECONNREFUSED 10.0.0.' || r.uid || ':8000' end,
               case when x = 0 then r.duration_ms else 30000 end, r.worker_id, r.created_at - x * interval '2 minutes'
        from results r cross join lateral generate_series(0, case when r.id % 20 = 0 then 1 else 0 end) x
        where r.created_at > now() - ${`${ATTEMPTS_DAYS} days`}::interval`.execute(db);
    });
    await sql`select setval(pg_get_serial_sequence('results', 'id'), (select max(id) from results))`.execute(db);
    return Number((await sql<{ n: string }>`select count(*) as n from results`.execute(db)).rows[0]!.n);
  });

  const scoreSnapshots = await step('weights and snapshots', () => seedPublications(db, shape));
  await step('slot history', async () => {
    await sql`
      insert into slot_history (hotkey, old_slots, new_slots, reason, health, samples, created_at)
      select m.hotkey, 8 + (m.uid + h) % 9, 8 + (m.uid + h + 1) % 9, 'health', 0.9, 120, now() - h * interval '6 hours'
      from miners m, generate_series(1, least(${HISTORY_DAYS * 4 - 1}::int, ${multiplier * LIFETIME_DAYS * 4}::int)) h
      where m.active`.execute(db);
  });
  await step('vacuum (analyze)', async () => {
    for (const table of [
      'results',
      'attempts',
      'miners',
      'score_snapshots',
      'weights',
      'slot_history',
      'rotations',
      'sampling_lists',
      'miner_slots',
    ]) {
      await sql`vacuum (analyze) ${sql.table(table)}`.execute(db);
    }
  });
  await sql`drop table seed_identity`.execute(db);
  const attempts = Number((await sql<{ n: string }>`select count(*) as n from attempts`.execute(db)).rows[0]!.n);
  return { results, attempts, scoreSnapshots, seconds: (performance.now() - started) / 1000, steps };
}

type RawSql = ReturnType<typeof sql>;

/** The block of the newest seeded weights row: a caller publishes above it. */
export function seededBlocks(shape: HistoryShape): number {
  return Math.floor((shape.multiplier * LIFETIME_DAYS * 1440) / PUBLISH_EVERY_MINUTES);
}

/**
 * Weights publications over the whole history (kept forever) and live snapshots within the
 * history retention, copies of a report as large as a real pass's: one per
 * `PUBLISH_EVERY_MINUTES`, blocks 1 … n.
 */
async function seedPublications(db: Kysely<Database>, shape: HistoryShape): Promise<number> {
  const n = seededBlocks(shape);
  // A report the size of a real one: per miner and env its sums, coverage and points.
  const report = sql`jsonb_build_object('computedAt', now(), 'miners', (
    select jsonb_agg(jsonb_build_object('uid', uid, 'hotkey', hotkey, 'revision', revision, 'eligible', true, 'points', uid % 7, 'weight', 1.0 / ${shape.miners}::int,
      'envs', (select jsonb_object_agg(env_id, jsonb_build_object('n', ${shape.listSize}::int, 'sum', ${shape.listSize}::int / 2, 'mean', 0.5, 'coverage', 0.98, 'lower', 0.45, 'upper', 0.55)) from sampling_lists)))
    from miners where active))`;
  const weights = sql`(select jsonb_object_agg(uid::text, 1.0 / ${shape.miners}::int) from miners where active)`;
  const u16 = sql`jsonb_build_object('uids', (select jsonb_agg(uid order by uid) from miners where active), 'values', (select jsonb_agg(65535 / ${shape.miners}::int) from miners where active))`;
  await sql`create unlogged table seed_report as select ${report} as report, ${weights} as weights, ${u16} as u16`.execute(db);
  await sql`
    insert into weights (block_number, weights, weights_u16, metadata, created_at)
    select b, s.weights, s.u16, jsonb_build_object('snapshot', 'seeded'), now() - (${n}::int - b) * ${PUBLISH_EVERY_MINUTES}::int * interval '1 minute'
    from seed_report s, generate_series(1, ${n}::int) b`.execute(db);
  await sql`
    insert into score_snapshots (weights_id, block_number, eligible_count, reason, report, created_at)
    select w.id, w.block_number, ${shape.miners}::int, null, s.report, w.created_at from weights w, seed_report s order by w.id`.execute(
    db,
  );
  // A live snapshot (a pass that published nothing) after each publication within the retention;
  // ids interleave as they would, by time.
  await sql`
    insert into score_snapshots (weights_id, block_number, eligible_count, reason, report, created_at)
    select null, w.block_number, ${shape.miners}::int, 'weights unchanged', s.report, w.created_at + interval '1 minute'
    from weights w, seed_report s where w.created_at > now() - ${`${HISTORY_DAYS} days`}::interval`.execute(db);
  await sql`drop table seed_report`.execute(db);
  return Number((await sql<{ n: string }>`select count(*) as n from score_snapshots`.execute(db)).rows[0]!.n);
}

/** Runs `statements` on up to `connections` connections at once. */
async function inParallel(db: Kysely<Database>, connections: number, statements: readonly RawSql[]): Promise<void> {
  const queue = [...statements];
  await Promise.all(
    Array.from({ length: Math.min(connections, queue.length) }, () =>
      db.connection().execute(async (c) => {
        await sql`set synchronous_commit = off`.execute(c);
        await sql`set maintenance_work_mem = '512MB'`.execute(c);
        await sql`set max_parallel_maintenance_workers = 0`.execute(c);
        for (let s = queue.shift(); s; s = queue.shift()) await s.execute(c);
      }),
    ),
  );
}

/**
 * Runs `load` on `tables` without their indexes and constraints other than NOT NULL and checks,
 * then builds them again from their own definitions (two at a time) and checks that the set of
 * definitions is the one the migrations made.
 */
async function withoutIndexes<T>(
  db: Kysely<Database>,
  tables: readonly string[],
  steps: Record<string, number>,
  load: () => Promise<T>,
): Promise<T> {
  const definitions = async () =>
    (
      await sql<{ table: string; name: string; def: string; constraint: boolean }>`
        select c.relname as table, i.relname as name, coalesce(pg_get_constraintdef(k.oid), pg_get_indexdef(i.oid)) as def, k.oid is not null as constraint
        from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class c on c.oid = x.indrelid
        left join pg_constraint k on k.conindid = i.oid and k.conrelid = c.oid
        where c.relname = any(${[...tables]}::text[]) order by 1, 2`.execute(db)
    ).rows;
  const before = await definitions();
  for (const d of before) {
    if (d.constraint) await sql`alter table ${sql.table(d.table)} drop constraint ${sql.id(d.name)}`.execute(db);
    else await sql`drop index ${sql.id(d.name)}`.execute(db);
  }
  const value = await load();
  const t = performance.now();
  // Largest first, so that the two connections finish together.
  const builds = [...before]
    .sort((a, b) => Number(b.def.includes('hotkey')) - Number(a.def.includes('hotkey')))
    .map((d) =>
      d.constraint ? sql`alter table ${sql.table(d.table)} add constraint ${sql.id(d.name)} ${sql.raw(d.def)}` : sql.raw(d.def),
    );
  await inParallel(db, 2, builds);
  steps['indexes and constraints'] = (performance.now() - t) / 1000;
  const after = await definitions();
  if (JSON.stringify(after) !== JSON.stringify(before))
    throw new Error(`indexes after the load differ:\n${JSON.stringify(before)}\n${JSON.stringify(after)}`);
  return value;
}
