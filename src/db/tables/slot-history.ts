import type { Kysely, Selectable } from 'kysely';
import type { Database, SlotHistoryTable } from '../schema.ts';

/**
 * Why a miner's slots row changed: `new` (default given), `health` (the adjuster), `pin` /
 * `unpin` (ops), `paused` / `resumed` (ops; slots unchanged).
 */
export type SlotChangeReason = 'new' | 'health' | 'pin' | 'unpin' | 'paused' | 'resumed';

/** One recorded change. */
export type SlotHistoryRow = Selectable<SlotHistoryTable>;

/** Records one change of a miner's slots (effective values before and after). */
export async function insertSlotHistory(
  db: Kysely<Database>,
  row: {
    readonly hotkey: string;
    readonly oldSlots: number | null;
    readonly newSlots: number;
    readonly reason: SlotChangeReason;
    readonly at: Date;
    readonly health?: number;
    readonly samples?: number;
  },
): Promise<void> {
  await db
    .insertInto('slot_history')
    .values({
      hotkey: row.hotkey,
      old_slots: row.oldSlots,
      new_slots: row.newSlots,
      reason: row.reason,
      health: row.health ?? null,
      samples: row.samples ?? null,
      created_at: row.at,
    })
    .execute();
}

/** Recent changes, newest first; of one miner when `hotkey` is given. */
export async function getSlotHistory(
  db: Kysely<Database>,
  options: { readonly hotkey?: string; readonly limit: number },
): Promise<SlotHistoryRow[]> {
  let query = db.selectFrom('slot_history').selectAll();
  if (options.hotkey !== undefined) query = query.where('hotkey', '=', options.hotkey);
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
}

/** Each miner's latest change, by hotkey. */
export async function getLastSlotChanges(db: Kysely<Database>): Promise<Map<string, SlotHistoryRow>> {
  const rows = await db
    .selectFrom('slot_history')
    .selectAll()
    .distinctOn('hotkey')
    .orderBy('hotkey')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return new Map(rows.map((r) => [r.hotkey, r]));
}
