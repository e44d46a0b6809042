import { sql } from 'kysely';
import { createDatabase } from '../src/db/database.ts';
import { existingResults } from '../src/db/tables/results.ts';
import { testLogger } from '../test/helpers/test-logger.ts';
const db = createDatabase({ url: 'postgres://postgres@127.0.0.1:5432/evalpool_explain', poolSize: 2, logger: testLogger() });
const mk = (n: number, exist: boolean) => Array.from({ length: n }, (_, i) => { const uid = exist ? (i % 256 === 0 ? 1 : i % 256) : (i % 26) * 10; return { hotkey: '5Bench' + uid, revision: 'rev' + uid, env_id: 'bench/env-' + (i % 8), task_id: (i % 8) * 1000000 + ((i * 13) % 1000) * 7 }; });
for (const [name, keys] of [['absent', mk(766, false)], ['present', mk(766, true)]] as const) {
  for (let i = 0; i < 3; i++) { const t = performance.now(); const r = await existingResults(db, keys); console.log(name, (performance.now() - t).toFixed(1), 'ms', r.length); }
  const plan = await sql`explain analyze select c.hotkey from unnest(${keys.map((k) => k.hotkey)}::text[], ${keys.map((k) => k.revision)}::text[], ${keys.map((k) => k.env_id)}::text[], ${keys.map((k) => k.task_id)}::int[]) as c(hotkey, revision, env_id, task_id) where exists (select 1 from results r where r.hotkey = c.hotkey and r.revision = c.revision and r.env_id = c.env_id and r.task_id = c.task_id)`.execute(db);
  console.log((plan.rows as { 'QUERY PLAN': string }[]).map((x) => x['QUERY PLAN']).join('\n'));
}
await db.destroy();
