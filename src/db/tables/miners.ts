import { type Kysely, sql } from 'kysely';
import type { Database, Miner } from '../schema.ts';

/** Miners currently registered (one row per hotkey+revision identity), by uid. */
export async function getActiveMiners(db: Kysely<Database>): Promise<Miner[]> {
  return db.selectFrom('miners').selectAll().where('active', '=', true).orderBy('uid').execute();
}

/** A miner as a discovery source reports it (chain or static file). */
export interface DiscoveredMinerRow {
  readonly uid: number;
  readonly hotkey: string;
  readonly revision: string;
  readonly endpoint: string;
  readonly committed_block: number;
}

/** One (hotkey, revision) identity. */
export interface MinerIdentity {
  readonly uid: number;
  readonly hotkey: string;
  readonly revision: string;
}

/** What {@link syncMiners} changed. */
export interface MinerSyncChanges {
  /** Identities seen for the first time, or active again after having been retired. */
  readonly activated: readonly MinerIdentity[];
  /** Identities that were active and are not discovered any more (deregistered or new revision). */
  readonly deactivated: readonly MinerIdentity[];
  /** Active identities whose uid, endpoint or commitment block changed. */
  readonly updated: readonly MinerIdentity[];
  /** Active identities after the sync. */
  readonly active: number;
}

/** Key of the advisory lock that serialises {@link syncMiners} across processes. */
const SYNC_LOCK_KEY = 0x65766d73; // "evms"

/**
 * Makes the `miners` table match a discovery: every discovered (hotkey, revision) is upserted and
 * active, every other identity inactive. A hotkey is active under one revision at most (the
 * `miners_active_hotkey` index says so too): when it is discovered twice, the entry with the
 * lowest uid wins. Two set-based statements in one transaction, whatever the number of miners.
 *
 * Syncs are serialised by an advisory lock: two at once (an old and a new leader during a
 * handover) would each miss the other's uncommitted insert and could leave one hotkey active
 * under two revisions, which top-up would plan as two miners with a full set of slots each.
 */
export async function syncMiners(db: Kysely<Database>, discovered: readonly DiscoveredMinerRow[], now: Date): Promise<MinerSyncChanges> {
  const byHotkey = new Map<string, DiscoveredMinerRow>();
  for (const m of [...discovered].sort((a, b) => a.uid - b.uid)) if (!byHotkey.has(m.hotkey)) byHotkey.set(m.hotkey, m);
  const rows = [...byHotkey.values()];

  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${SYNC_LOCK_KEY})`.execute(trx);
    // Retire first: a hotkey's new revision is then inserted while its old one is already inactive.
    const deactivated = await trx
      .updateTable('miners')
      .set({ active: false })
      .where('active', '=', true)
      .$if(rows.length > 0, (q) =>
        q.where(
          sql<boolean>`(hotkey, revision) not in (select * from unnest(${rows.map((r) => r.hotkey)}::text[], ${rows.map((r) => r.revision)}::text[]))`,
        ),
      )
      .returning(['uid', 'hotkey', 'revision'])
      .execute();

    const upserted =
      rows.length === 0
        ? []
        : await sql<{ uid: number; hotkey: string; revision: string; change: 'activated' | 'updated' | 'same' }>`
            with incoming(uid, hotkey, revision, endpoint, committed_block) as (
              select * from unnest(${rows.map((r) => r.uid)}::int[], ${rows.map((r) => r.hotkey)}::text[],
                                   ${rows.map((r) => r.revision)}::text[], ${rows.map((r) => r.endpoint)}::text[],
                                   ${rows.map((r) => r.committed_block)}::bigint[])
            ),
            previous as (
              select m.hotkey, m.revision, m.uid, m.endpoint, m.committed_block, m.active
              from miners m join incoming i using (hotkey, revision)
            ),
            written as (
              insert into miners (uid, hotkey, revision, endpoint, committed_block, first_seen_at, last_seen_at, active)
              select uid, hotkey, revision, endpoint, committed_block, ${now}, ${now}, true from incoming
              on conflict (hotkey, revision) do update
                set uid = excluded.uid, endpoint = excluded.endpoint, committed_block = excluded.committed_block,
                    last_seen_at = excluded.last_seen_at, active = true
              returning uid, hotkey, revision, endpoint, committed_block
            )
            select w.uid, w.hotkey, w.revision,
                   case when p.hotkey is null or not p.active then 'activated'
                        when p.uid <> w.uid or p.endpoint <> w.endpoint or p.committed_block <> w.committed_block then 'updated'
                        else 'same' end as change
            from written w left join previous p using (hotkey, revision)
          `
            .execute(trx)
            .then((r) => r.rows);

    const pick = (change: string): MinerIdentity[] =>
      upserted.filter((r) => r.change === change).map(({ uid, hotkey, revision }) => ({ uid, hotkey, revision }));
    return { activated: pick('activated'), updated: pick('updated'), deactivated, active: rows.length };
  });
}

/** Whether the scheduler has ever seen `hotkey` (as a miner, active or not, or in the slots table). */
export async function isKnownHotkey(db: Kysely<Database>, hotkey: string): Promise<boolean> {
  const miner = await db.selectFrom('miners').select('hotkey').where('hotkey', '=', hotkey).limit(1).executeTakeFirst();
  if (miner) return true;
  const slots = await db.selectFrom('miner_slots').select('hotkey').where('hotkey', '=', hotkey).executeTakeFirst();
  return slots !== undefined;
}
