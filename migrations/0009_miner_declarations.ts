import { type Kysely, sql } from 'kysely';

// What each miner's `GET /health` declares as `max_concurrent_episodes`, learnt by the leader and
// kept here so that a restarted leader does not forget it (and does not hand a template miner more
// than one episode while it probes again). A declaration belongs to the endpoint it was read from:
// a miner that moves gets one episode at a time until its new endpoint is probed.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table miner_declarations (
      hotkey text primary key,
      endpoint text not null,
      max_concurrent_episodes integer not null check (max_concurrent_episodes >= 1),
      problem text,
      probed_at timestamptz not null
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists miner_declarations`.execute(db);
}
