import type { Kysely } from 'kysely';
import type { Database, Miner } from '../schema.ts';

/** Miners currently registered (one row per hotkey+revision identity), by uid. */
export async function getActiveMiners(db: Kysely<Database>): Promise<Miner[]> {
  return db.selectFrom('miners').selectAll().where('active', '=', true).orderBy('uid').execute();
}
