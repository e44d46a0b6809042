import { sql } from 'kysely';
import { createDatabase } from '../src/db/database.ts';
import { ensureDatabase } from '../src/db/ensure-database.ts';
import { migrateToLatest } from '../src/db/migrator.ts';
import { testLogger } from '../test/helpers/test-logger.ts';
const url = 'postgres://postgres@127.0.0.1:5432/evalpool_explain';
const fresh = await ensureDatabase(url);
const db = createDatabase({ url, poolSize: 2, logger: testLogger() });
if (fresh) {
  await migrateToLatest(db);
  for (let e = 0; e < 8; e++) await sql`insert into sampling_lists (env_id, family, task_ids, dataset_start, dataset_end, list_size, rotation_count, rotation_interval_seconds, scored) values (${'bench/env-' + e}, 'b', ${Array.from({ length: 1000 }, (_, i) => e * 1000000 + i * 7)}, 0, 10000000, 1000, 10, 3600, true)`.execute(db);
  await sql`insert into miners (uid, hotkey, revision, endpoint, committed_block) select g, '5Bench'||g, 'rev'||g, 'http://x/', g from generate_series(0,255) g`.execute(db);
  const t = Date.now();
  await sql`set synchronous_commit = off`.execute(db);
  await sql`insert into results (task_uuid, env_id, task_id, uid, hotkey, revision, success, score, error_class, worker_id)
      select gen_random_uuid(), l.env_id, t.id, m.uid, m.hotkey, m.revision, true, 1, 'success', 'bench'
      from miners m cross join sampling_lists l cross join unnest(l.task_ids) as t(id)
      where m.uid % 10 <> 0 and random() < 0.98`.execute(db);
  await sql`analyze`.execute(db);
  console.log('seeded in', Date.now() - t, 'ms');
}
const keys = Array.from({ length: 300 }, (_, i) => ({ hotkey: '5Bench' + (i % 256), revision: 'rev' + (i % 256), env: 'bench/env-' + (i % 8), task: (i % 8) * 1000000 + (i % 1000) * 7 }));
const q = (explain: boolean) => sql`${sql.raw(explain ? 'explain analyze ' : '')}select c.hotkey, c.revision, c.env_id, c.task_id
    from unnest(${keys.map((k) => k.hotkey)}::text[], ${keys.map((k) => k.revision)}::text[],
                ${keys.map((k) => k.env)}::text[], ${keys.map((k) => k.task)}::int[]) as c(hotkey, revision, env_id, task_id)
    where exists (select 1 from results r where r.hotkey = c.hotkey and r.revision = c.revision and r.env_id = c.env_id and r.task_id = c.task_id)`;
const r = await q(true).execute(db);
console.log((r.rows as { 'QUERY PLAN': string }[]).map((x) => x['QUERY PLAN']).join('\n'));
for (let i = 0; i < 3; i++) { const t = performance.now(); await q(false).execute(db); console.log('existing 300:', (performance.now() - t).toFixed(1)); }
const lists = (await sql<{ env_id: string; task_ids: number[] }>`select env_id, task_ids from sampling_lists`.execute(db)).rows;
const envIds: string[] = []; const taskIds: number[] = [];
for (const l of lists) for (const id of l.task_ids) { envIds.push(l.env_id); taskIds.push(id); }
const full = (explain: boolean) => sql`${sql.raw(explain ? 'explain analyze ' : '')}with wanted(env_id, task_id) as (select * from unnest(${envIds}::text[], ${taskIds}::int[]))
    select r.hotkey, r.revision, r.env_id, array_agg(r.task_id) as task_ids
    from results r
    join miners m on m.active and m.hotkey = r.hotkey and m.revision = r.revision
    join wanted w on w.env_id = r.env_id and w.task_id = r.task_id
    group by r.hotkey, r.revision, r.env_id`;
console.log(((await full(true).execute(db)).rows as { 'QUERY PLAN': string }[]).map((x) => x['QUERY PLAN']).join('\n'));
for (let i = 0; i < 2; i++) { const t = performance.now(); const res = await full(false).execute(db); console.log('full load:', (performance.now() - t).toFixed(1), res.rows.length); }
await db.destroy();
