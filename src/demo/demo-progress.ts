import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { getLatestScoringPass } from '../db/tables/score-snapshots.ts';
import { getLatestWeights } from '../db/tables/weights.ts';
import { readScoringInput } from '../scheduler/read-scoring-input.ts';

/** One miner's results in one env's current list. */
export interface DemoMinerEnvProgress {
  readonly envId: string;
  /** Task ids of the current list with a result. */
  readonly done: number;
  /** Mean score over those results; null before the first. */
  readonly successRate: number | null;
}

/** One active miner's progress over every scored env, in env order. */
export interface DemoMinerProgress {
  readonly uid: number;
  readonly hotkey: string;
  readonly envs: readonly DemoMinerEnvProgress[];
}

/** Weights that reflect the current results (see {@link readDemoProgress}). */
export interface DemoWeights {
  readonly id: number;
  readonly blockNumber: number;
  readonly createdAt: Date;
  /** Float weight by uid. */
  readonly byUid: ReadonlyMap<number, number>;
  readonly eligibleUids: readonly number[];
}

/** What the demo shows: coverage of the current lists by miner and env, then the weights. */
export interface DemoProgress {
  /** Scored envs and their list sizes, ordered by env id. */
  readonly envs: readonly { readonly envId: string; readonly listSize: number }[];
  /** Active miners, ordered by uid. */
  readonly miners: readonly DemoMinerProgress[];
  /** Latest weights once a scoring pass since `since` confirmed them; null before. */
  readonly weights: DemoWeights | null;
}

/**
 * Reads the demo's progress from Postgres: the same `results ∩ current lists` aggregate that
 * scoring reads, and the latest weights. Weights count only once a scoring pass computed at or
 * after `since` published or confirmed them (no reason given), so that weights left in the
 * database by an earlier run are not shown as this run's.
 */
export async function readDemoProgress(db: Kysely<Database>, since: Date): Promise<DemoProgress> {
  const [{ input }, pass] = await Promise.all([readScoringInput(db), getLatestScoringPass(db)]);
  const envs = [...input.envs].sort((a, b) => (a.envId < b.envId ? -1 : a.envId > b.envId ? 1 : 0));
  const sums = new Map(input.aggregates.map((a) => [`${a.uid} ${a.envId}`, a]));
  const miners = [...input.miners]
    .sort((a, b) => a.uid - b.uid)
    .map((m) => ({
      uid: m.uid,
      hotkey: m.hotkey,
      envs: envs.map((e) => {
        const a = sums.get(`${m.uid} ${e.envId}`);
        return { envId: e.envId, done: a?.n ?? 0, successRate: a && a.n > 0 ? a.sum / a.n : null };
      }),
    }));

  const confirmed =
    pass !== undefined && pass.reason === null && pass.computed_at !== null && Date.parse(pass.computed_at) >= since.getTime();
  const row = confirmed ? await getLatestWeights(db) : undefined;
  const weights: DemoWeights | null = row
    ? {
        id: Number(row.id),
        blockNumber: row.block_number,
        createdAt: row.created_at,
        byUid: new Map(Object.entries(row.weights).map(([uid, w]) => [Number(uid), w])),
        eligibleUids: ((row.metadata as { eligible_uids?: unknown }).eligible_uids as number[] | undefined) ?? [],
      }
    : null;
  return { envs, miners, weights };
}
