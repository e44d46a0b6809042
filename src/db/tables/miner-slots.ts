import type { Kysely, Selectable } from 'kysely';
import type { Database, MinerSlotsTable } from '../schema.ts';

/** A miner's slot settings as stored. */
export type MinerSlotsRow = Selectable<MinerSlotsTable>;

/** Slot settings of every miner that has any, by hotkey. */
export async function getMinerSlots(db: Kysely<Database>): Promise<Map<string, MinerSlotsRow>> {
  const rows = await db.selectFrom('miner_slots').selectAll().execute();
  return new Map(rows.map((r) => [r.hotkey, r]));
}

/** The slots in effect: an ops pin wins over the adjusted value. */
export function effectiveSlots(row: MinerSlotsRow | undefined, fallback: number): number {
  if (!row) return fallback;
  return row.pinned ?? row.slots;
}
