/**
 * Rolling weights: one scoring pass over `results ∩ current lists`, and a publication when the
 * outcome differs from the last published weights. Rules:
 *
 * - **Changed** means a different u16 vector (uids or values) or a different set of eligible
 *   uids than the latest weights row. Otherwise the pass only refreshes the live score snapshot,
 *   until the latest row is `EVALPOOL_WEIGHTS_REPUBLISH_BLOCKS` old: then the same weights are
 *   *republished* in a new row at the current block. Validators (the subnet's own client among
 *   them) submit only when the block number grows, and a validator that sets no weights for the
 *   chain's activity cutoff loses its standing: a stable ranking must not silence them.
 * - **No eligible miner**: nothing is published, the last weights stand; the reason goes to the
 *   live snapshot (`weights_id` null, `reason` set, shown by `/v1/status`) and to the log (warn
 *   when it starts or its code changes, debug while it lasts).
 * - **Block numbers strictly increase** from one weights row to the next: the subnet's validator
 *   only submits weights whose block is above the last one it submitted, and `latest` is the
 *   highest block. A changed outcome whose block is not above the latest row's (same block: two
 *   passes within 12 s; lower: the block source changed) is *deferred*, not bumped: its block
 *   stays a real block, and the next pass in a later block publishes it. A unique violation
 *   (another writer took the block) is deferred the same way.
 * - An aborted signal (leadership lost) stops the pass before it writes anything.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { Database, U16Weights } from '../db/schema.ts';
import { postgresErrorOf, SQL_STATE } from '../db/sql-state.ts';
import { insertScoreSnapshot, recordLiveScoreSnapshot } from '../db/tables/score-snapshots.ts';
import { getLatestWeights, insertWeights, type WeightsRow } from '../db/tables/weights.ts';
import { computeScores } from '../scoring/compute-scores.ts';
import type { ScoreReport } from '../scoring/score-report.ts';
import { scoringParamsOf } from '../scoring/scoring-params-of.ts';
import type { StoredScoreReport } from '../scoring/stored-report.ts';
import { readScoringInput } from './read-scoring-input.ts';

/** What the weights task needs; all of it is created and closed by the caller. */
export interface WeightsTaskDeps {
  readonly db: Kysely<Database>;
  readonly config: Pick<Config, 'scoring'>;
  readonly logger: Logger;
  /** The current block: the chain's, or the `BlockClock`'s without a chain. */
  readonly block: () => Promise<number>;
}

/** What a pass did. */
export type WeightsOutcome = 'published' | 'republished' | 'unchanged' | 'no-weights' | 'deferred';

/** The result of one pass, for the scheduler's status and logs. */
export interface WeightsRunResult {
  readonly outcome: WeightsOutcome;
  /** The block this pass ran at. */
  readonly blockNumber: number;
  readonly minerCount: number;
  readonly eligibleCount: number;
  /** The weights row in effect after the pass (new or previous); null before the first. */
  readonly weightsId: number | null;
  /** Block of that row; null before the first. */
  readonly weightsBlock: number | null;
  /** The snapshot written: the publication's, or the live one. */
  readonly snapshotId: number;
  /** Why nothing was published (`no-weights`, `deferred`); null otherwise. */
  readonly reason: string | null;
  readonly computedAt: Date;
  /** SQL aggregate + scoring, in ms. */
  readonly computationMs: number;
  /** The whole pass, writes included, in ms. */
  readonly durationMs: number;
}

/** `metadata` of a weights row: served to validators as is. */
export interface WeightsMetadata {
  readonly scheme: 'first-commit-subsets';
  readonly n_miners_evaluated: number;
  readonly n_environments: number;
  readonly eligible_count: number;
  /** Ascending; part of what "changed" compares. */
  readonly eligible_uids: readonly number[];
  readonly environments: readonly { readonly env_id: string; readonly list_size: number }[];
  readonly min_coverage: number;
  readonly temperature: number;
  readonly computed_at: string;
  readonly computation_ms: number;
}

function sameNumbers(a: readonly unknown[] | undefined, b: readonly number[]): boolean {
  return Array.isArray(a) && a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Whether `report` would publish exactly what `latest` holds (see the module comment). */
function unchangedFrom(latest: WeightsRow, u16: U16Weights, eligibleUids: readonly number[]): boolean {
  const eligible = (latest.metadata as { eligible_uids?: unknown[] }).eligible_uids;
  return (
    sameNumbers(latest.weights_u16.uids, [...u16.uids]) &&
    sameNumbers(latest.weights_u16.values, [...u16.values]) &&
    sameNumbers(eligible, eligibleUids)
  );
}

function metadataOf(report: ScoreReport, eligibleUids: readonly number[], stored: StoredScoreReport): WeightsMetadata {
  return {
    scheme: 'first-commit-subsets',
    n_miners_evaluated: report.miners.length,
    n_environments: report.envs.length,
    eligible_count: report.eligibleCount,
    eligible_uids: eligibleUids,
    environments: report.envs.map((e) => ({ env_id: e.envId, list_size: e.listSize })),
    min_coverage: report.params.minCoverage,
    temperature: report.params.temperature,
    computed_at: stored.computedAt,
    computation_ms: stored.computationMs,
  };
}

function checkBlock(block: unknown): number {
  if (typeof block !== 'number' || !Number.isSafeInteger(block) || block < 0) {
    throw new RangeError(`weights: the block provider returned ${String(block)}, not an integer >= 0`);
  }
  return block;
}

/**
 * One rolling-weights pass: aggregate → `computeScores` → publish a weights row and its
 * snapshot when the outcome changed, or refresh the live snapshot otherwise (rules in the module
 * comment). `now` is the time recorded for the pass. Throws on database or provider errors and
 * on an aborted `signal`; nothing is half-written (the publication is one transaction).
 */
export async function computeAndPublishWeights(
  deps: WeightsTaskDeps,
  now: Date = new Date(),
  signal?: AbortSignal,
): Promise<WeightsRunResult> {
  const started = performance.now();
  const logger = deps.logger.child({ component: 'weights' });

  const { input, dropped } = await readScoringInput(deps.db);
  for (const d of dropped) {
    logger.warn(
      { uid: d.uid, hotkey: d.hotkey, revision: d.revision, kept: `${d.keptHotkey}@${d.keptRevision}` },
      'two active miners share a uid; scoring the newest commitment only',
    );
  }
  const report = computeScores(input, scoringParamsOf(deps.config));
  const computationMs = performance.now() - started;
  const blockNumber = checkBlock(await deps.block());
  signal?.throwIfAborted();

  const stored: StoredScoreReport = { ...report, computedAt: now.toISOString(), computationMs };
  const latest = await getLatestWeights(deps.db);
  const base = {
    blockNumber,
    minerCount: report.miners.length,
    eligibleCount: report.eligibleCount,
    computedAt: now,
    computationMs,
  };
  const keep = { weightsId: latest?.id ?? null, weightsBlock: latest?.block_number ?? null };
  const done = (rest: Omit<WeightsRunResult, keyof typeof base | 'durationMs'>): WeightsRunResult => ({
    ...base,
    ...rest,
    durationMs: performance.now() - started,
  });
  const live = (reason: string | null) =>
    recordLiveScoreSnapshot(deps.db, { blockNumber, eligibleCount: report.eligibleCount, reason, report: stored });

  if (report.reason !== null || report.weightsU16 === null) {
    const message = report.reason?.message ?? 'no weights';
    const write = await live(message);
    const fields = {
      block: blockNumber,
      miners: report.miners.length,
      envs: report.envs.length,
      reason: report.reason?.code,
      standing: keep.weightsBlock,
    };
    if (write.previousReasonCode !== (report.reason?.code ?? null)) logger.warn(fields, `no weights published: ${message}`);
    else logger.debug(fields, `still no weights: ${message}`);
    return done({ outcome: 'no-weights', ...keep, snapshotId: write.id, reason: message });
  }

  const u16 = report.weightsU16;
  const eligibleUids = report.miners.filter((m) => m.eligible).map((m) => m.uid);
  const unchanged = latest !== undefined && unchangedFrom(latest, u16, eligibleUids);
  const republishBlocks = deps.config.scoring.weightsRepublishBlocks;
  if (latest && unchanged && blockNumber - latest.block_number < republishBlocks) {
    const write = await live(null);
    logger.debug({ block: blockNumber, weightsBlock: latest.block_number, eligible: report.eligibleCount }, 'weights unchanged');
    return done({ outcome: 'unchanged', ...keep, snapshotId: write.id, reason: null });
  }

  const defer = async (why: string): Promise<WeightsRunResult> => {
    const write = await live(why);
    logger.info({ block: blockNumber, weightsBlock: keep.weightsBlock }, why);
    return done({ outcome: 'deferred', ...keep, snapshotId: write.id, reason: why });
  };
  if (latest && blockNumber <= latest.block_number) {
    return defer(
      `new weights wait for a block after ${latest.block_number} (the latest weights' block); this pass ran at block ${blockNumber}`,
    );
  }

  const weights: Record<string, number> = {};
  for (const m of report.miners) weights[String(m.uid)] = m.weight;
  try {
    const published = await deps.db.transaction().execute(async (trx) => {
      const row = await insertWeights(trx, { blockNumber, weights, weightsU16: u16, metadata: metadataOf(report, eligibleUids, stored) });
      const snapshotId = await insertScoreSnapshot(trx, {
        weightsId: row.id,
        blockNumber,
        eligibleCount: report.eligibleCount,
        reason: null,
        report: stored,
      });
      return { row, snapshotId };
    });
    logger.info(
      {
        block: blockNumber,
        weightsId: published.row.id,
        eligible: report.eligibleCount,
        miners: report.miners.length,
        ms: Math.round(computationMs),
        previousBlock: keep.weightsBlock,
      },
      unchanged ? `republished unchanged weights (the latest row was ${republishBlocks}+ blocks old)` : 'published new weights',
    );
    return done({
      outcome: unchanged ? 'republished' : 'published',
      weightsId: published.row.id,
      weightsBlock: blockNumber,
      snapshotId: published.snapshotId,
      reason: null,
    });
  } catch (error) {
    if (postgresErrorOf(error)?.code !== SQL_STATE.uniqueViolation) throw error;
    return defer(`block ${blockNumber} already has weights (another writer); publishing at a later block`);
  }
}

/** A periodic task of the scheduler leader: `{name, intervalMs, run(signal)}`. */
export interface WeightsTask {
  readonly name: 'weights';
  readonly intervalMs: number;
  run(signal: AbortSignal): Promise<void>;
  /** The last pass's result (null before the first), for the scheduler's status. */
  lastResult(): WeightsRunResult | null;
}

/** The weights pass as a leader task, every `EVALPOOL_WEIGHTS_INTERVAL_SECONDS`. */
export function createWeightsTask(deps: WeightsTaskDeps, clock: () => Date = () => new Date()): WeightsTask {
  let last: WeightsRunResult | null = null;
  return {
    name: 'weights',
    intervalMs: deps.config.scoring.weightsIntervalSeconds * 1_000,
    async run(signal) {
      last = await computeAndPublishWeights(deps, clock(), signal);
    },
    lastResult: () => last,
  };
}
