import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database, MinerSlotsTable } from '../schema.ts';
import { insertSlotHistory } from './slot-history.ts';

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

/**
 * Gives every hotkey without a row `defaultSlots` (one statement, safe to run concurrently) and
 * records each creation in `slot_history` (reason `new`). Slots belong to the hotkey: a new
 * revision keeps them. Returns the hotkeys created by this call.
 */
export async function ensureMinerSlots(
  db: Kysely<Database>,
  hotkeys: readonly string[],
  defaultSlots: number,
  now: Date = new Date(),
): Promise<string[]> {
  if (hotkeys.length === 0) return [];
  const created = await sql<{ hotkey: string }>`
    with created as (
      insert into miner_slots (hotkey, slots, updated_at)
      select distinct h, ${defaultSlots}::int, ${now}::timestamptz from unnest(${[...hotkeys]}::text[]) as h
      on conflict (hotkey) do nothing
      returning hotkey, slots
    )
    insert into slot_history (hotkey, old_slots, new_slots, reason, created_at)
    select hotkey, null, slots, 'new', ${now}::timestamptz from created
    returning hotkey`.execute(db);
  return created.rows.map((r) => r.hotkey);
}

/** A miner's recent attempts as the slot adjuster counts them (see `adjustSlots`). */
export interface SlotHealthRow {
  readonly hotkey: string;
  readonly slots: number;
  readonly updated_at: Date;
  /** Attempts classed `success` or `failure`: the endpoint answered. */
  readonly success_like: number;
  /** Attempts classed `miner_unavailable`. */
  readonly unavailable: number;
}

/**
 * Health counts of every unpinned miner over attempts in `(since, until]`, in one set-based
 * query. `env_error` and `worker_error` are not the miner's fault and are not counted.
 */
export async function getSlotHealth(db: Kysely<Database>, since: Date, until: Date): Promise<SlotHealthRow[]> {
  const result = await sql<SlotHealthRow>`
    select s.hotkey, s.slots, s.updated_at,
           coalesce(a.success_like, 0)::int as success_like,
           coalesce(a.unavailable, 0)::int as unavailable
    from miner_slots s
    left join (
      select hotkey,
             count(*) filter (where error_class in ('success', 'failure')) as success_like,
             count(*) filter (where error_class = 'miner_unavailable') as unavailable
      from attempts
      where created_at > ${since}::timestamptz and created_at <= ${until}::timestamptz
        and error_class in ('success', 'failure', 'miner_unavailable')
      group by hotkey
    ) a on a.hotkey = s.hotkey
    where s.pinned is null
    order by s.hotkey`.execute(db);
  return result.rows;
}

/** A change of a miner's adjusted slots, with the health that caused it. */
export interface SlotChange {
  readonly hotkey: string;
  readonly oldSlots: number;
  readonly newSlots: number;
  readonly health: number;
  readonly samples: number;
}

/**
 * Applies adjuster changes in one statement and records each in `slot_history` (reason
 * `health`). A change applies only if the row still has `oldSlots` and no pin (ops may have
 * acted in between). Returns the changes applied.
 */
export async function applySlotChanges(db: Kysely<Database>, changes: readonly SlotChange[], now: Date): Promise<SlotChange[]> {
  if (changes.length === 0) return [];
  const column = <T>(pick: (c: SlotChange) => T): T[] => changes.map(pick);
  const applied = await sql<{ hotkey: string; old_slots: number; new_slots: number; health: number; samples: number }>`
    with v as (
      select * from unnest(
        ${column((c) => c.hotkey)}::text[], ${column((c) => c.oldSlots)}::int[], ${column((c) => c.newSlots)}::int[],
        ${column((c) => c.health)}::float8[], ${column((c) => c.samples)}::int[]
      ) as v(hotkey, old_slots, new_slots, health, samples)
    ), updated as (
      update miner_slots m set slots = v.new_slots, updated_at = ${now}::timestamptz
      from v
      where m.hotkey = v.hotkey and m.slots = v.old_slots and m.pinned is null
      returning v.hotkey, v.old_slots, v.new_slots, v.health, v.samples
    )
    insert into slot_history (hotkey, old_slots, new_slots, reason, health, samples, created_at)
    select hotkey, old_slots, new_slots, 'health', health, samples, ${now}::timestamptz from updated
    returning hotkey, old_slots, new_slots, health, samples`.execute(db);
  return applied.rows.map((r) => ({
    hotkey: r.hotkey,
    oldSlots: r.old_slots,
    newSlots: r.new_slots,
    health: r.health,
    samples: r.samples,
  }));
}

/** Highest pin ops may set, by CLI or admin API (the same bound as `EVALPOOL_SLOTS_MAX`'s rule). */
export const SLOTS_PIN_MAX = 10_000;

/** The outcome of {@link pinSlots}: effective slots before (null for a new row) and after. */
export interface PinResult {
  readonly hotkey: string;
  readonly before: number | null;
  readonly after: number;
  readonly pinned: number | null;
}

/**
 * Pins a miner's slots to `n` (the adjuster leaves it alone) or, with `null`, unpins it (back to
 * its adjusted value). Pinning an unknown hotkey creates its row with `slots = n`, so ops can act
 * before the miner appears; unpinning an unknown hotkey returns undefined. Changes are recorded
 * in `slot_history` (reason `pin` or `unpin`).
 */
export async function pinSlots(
  db: Kysely<Database>,
  hotkey: string,
  n: number | null,
  now: Date = new Date(),
): Promise<PinResult | undefined> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('miner_slots').selectAll().where('hotkey', '=', hotkey).forUpdate().executeTakeFirst();
    if (!row) {
      if (n === null) return undefined;
      await trx.insertInto('miner_slots').values({ hotkey, slots: n, pinned: n, updated_at: now }).execute();
      await insertSlotHistory(trx, { hotkey, oldSlots: null, newSlots: n, reason: 'pin', at: now });
      return { hotkey, before: null, after: n, pinned: n };
    }
    const before = effectiveSlots(row, row.slots);
    const after = n ?? row.slots;
    if (row.pinned !== n) {
      await trx.updateTable('miner_slots').set({ pinned: n, updated_at: now }).where('hotkey', '=', hotkey).execute();
      await insertSlotHistory(trx, { hotkey, oldSlots: before, newSlots: after, reason: n === null ? 'unpin' : 'pin', at: now });
    }
    return { hotkey, before, after, pinned: n };
  });
}

/** The outcome of {@link setSchedulingPaused}: the flag before and after. */
export interface SchedulingPauseResult {
  readonly hotkey: string;
  readonly before: boolean;
  readonly after: boolean;
}

/**
 * Stops (or resumes) creating tasks for a miner without touching its slots; recorded in
 * `slot_history` (reason `paused` or `resumed`) when it changes. Returns undefined for an
 * unknown hotkey.
 */
export async function setSchedulingPaused(
  db: Kysely<Database>,
  hotkey: string,
  paused: boolean,
  now: Date = new Date(),
): Promise<SchedulingPauseResult | undefined> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('miner_slots').selectAll().where('hotkey', '=', hotkey).forUpdate().executeTakeFirst();
    if (!row) return undefined;
    if (row.scheduling_paused !== paused) {
      await trx.updateTable('miner_slots').set({ scheduling_paused: paused, updated_at: now }).where('hotkey', '=', hotkey).execute();
      const slots = effectiveSlots(row, row.slots);
      await insertSlotHistory(trx, { hotkey, oldSlots: slots, newSlots: slots, reason: paused ? 'paused' : 'resumed', at: now });
    }
    return { hotkey, before: row.scheduling_paused, after: paused };
  });
}
