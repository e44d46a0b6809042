import { type Kysely, sql } from 'kysely';

// A hotkey is active under one revision at most: top-up plans one miner per active row, so a
// hotkey active twice would get its slots twice. syncMiners keeps to it (serialised, retiring
// before inserting); the index makes the table say so. Should two rows be active already, the
// most recently seen one stays active.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    update miners m set active = false
    where m.active and exists (
      select 1 from miners o
      where o.active and o.hotkey = m.hotkey and (o.last_seen_at, o.id) > (m.last_seen_at, m.id)
    )`.execute(db);
  await sql`create unique index miners_active_hotkey on miners (hotkey) where active`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists miners_active_hotkey`.execute(db);
}
