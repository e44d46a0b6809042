import { sql } from 'kysely';
import { createDatabase } from '../src/db/database.ts';
import { testLogger } from '../test/helpers/test-logger.ts';
const url = 'postgres://postgres@127.0.0.1:5432/evalpool_explain';
const db = createDatabase({ url, poolSize: 2, logger: testLogger() });
const variants: Record<string, ReturnType<typeof sql>> = {
  indexOrder: sql`select r.hotkey, r.revision, r.env_id, array_agg(r.task_id) as task_ids
    from miners m join results r on r.hotkey = m.hotkey and r.revision = m.revision
    where m.active
    group by r.hotkey, r.revision, r.env_id`,
  lateral: sql`select m.hotkey, m.revision, x.env_id, x.task_ids
    from miners m cross join lateral (
      select r.env_id, array_agg(r.task_id) as task_ids from results r
      where r.hotkey = m.hotkey and r.revision = m.revision group by r.env_id) x
    where m.active`,
};
await sql`vacuum analyze results`.execute(db);
for (const [name, q] of Object.entries(variants)) {
  const plan = await sql`explain analyze ${q}`.execute(db);
  console.log(name, '\n', (plan.rows as { 'QUERY PLAN': string }[]).map((x) => x['QUERY PLAN']).join('\n'));
  for (let i = 0; i < 2; i++) { const t = performance.now(); const r = await q.execute(db); console.log(name, (performance.now() - t).toFixed(0), 'ms', r.rows.length); }
}
await db.destroy();
