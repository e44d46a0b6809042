import type { Kysely } from 'kysely';
import type { Database, Miner } from '../db/schema.ts';
import { getActiveMiners } from '../db/tables/miners.ts';
import { aggregateCurrentListResults } from '../db/tables/results.ts';
import { getScoredListSizes } from '../db/tables/sampling-lists.ts';
import type { ScoredMiner, ScoringInput } from '../scoring/scoring-input.ts';

/** An active miner row left out because another active row holds the same uid. */
export interface DroppedMiner {
  readonly uid: number;
  readonly hotkey: string;
  readonly revision: string;
  /** The hotkey and revision kept for that uid. */
  readonly keptHotkey: string;
  readonly keptRevision: string;
}

/** What scoring reads, taken from one consistent snapshot of Postgres. */
export interface ScoringSnapshot {
  readonly input: ScoringInput;
  /** Non-empty only when the miners table breaks "one active row per uid" (a discovery bug). */
  readonly dropped: readonly DroppedMiner[];
}

// Newest commitment first; the higher row id (newer row) breaks a tie.
const newer = (a: Miner, b: Miner): boolean =>
  a.committed_block > b.committed_block || (a.committed_block === b.committed_block && a.id > b.id);

/**
 * Reads the scored lists' sizes, the active miners and the aggregate over `results ∩ lists` in
 * one read-only REPEATABLE READ transaction, so a rotation or a miner update between the reads
 * cannot pair counts of one list with the size of another. Scoring needs unique uids; should two
 * active rows share a uid, the newest commitment is kept and the other is reported in `dropped`.
 */
export async function readScoringInput(db: Kysely<Database>): Promise<ScoringSnapshot> {
  const { envs, miners, aggregates } = await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => ({
      envs: await getScoredListSizes(trx),
      miners: await getActiveMiners(trx),
      aggregates: await aggregateCurrentListResults(trx),
    }));

  const byUid = new Map<number, Miner>();
  for (const m of miners) {
    const held = byUid.get(m.uid);
    if (!held || newer(m, held)) byUid.set(m.uid, m);
  }
  const dropped: DroppedMiner[] = [];
  for (const m of miners) {
    const kept = byUid.get(m.uid)!;
    if (kept !== m)
      dropped.push({ uid: m.uid, hotkey: m.hotkey, revision: m.revision, keptHotkey: kept.hotkey, keptRevision: kept.revision });
  }
  const keptIds = new Set([...byUid.values()].map((m) => m.id));
  const identities: ScoredMiner[] = [...byUid.values()].map((m) => ({
    uid: m.uid,
    hotkey: m.hotkey,
    revision: m.revision,
    committedBlock: m.committed_block,
  }));
  return {
    input: {
      envs,
      miners: identities,
      aggregates: aggregates.filter((a) => keptIds.has(a.minerId)).map(({ uid, envId, n, sum, sumSq }) => ({ uid, envId, n, sum, sumSq })),
    },
    dropped,
  };
}
