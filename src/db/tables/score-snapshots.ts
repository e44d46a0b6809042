import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database, ScoreSnapshotsTable } from '../schema.ts';

/**
 * Score snapshots: the report of a scoring pass. Two kinds, told apart by `weights_id`:
 * - a *publication* snapshot (`weights_id` set) is inserted with the weights row it produced and
 *   never changes;
 * - the *live* snapshot (`weights_id` null) holds the newest pass that published nothing (no
 *   eligible miner, weights unchanged, block not advanced). It is updated in place while it is
 *   the newest row, so the table grows by about two rows per publication and not by one per pass.
 *   Its `created_at` is when that stretch began; the report carries when it was computed.
 */
export type ScoreSnapshotRow = Selectable<ScoreSnapshotsTable>;

/** What one snapshot stores. */
export interface NewScoreSnapshot {
  readonly weightsId: number | null;
  readonly blockNumber: number;
  readonly eligibleCount: number;
  /** Why the pass published no weights (one line), or null. */
  readonly reason: string | null;
  /** The report as a JSON object (a `StoredScoreReport`). */
  readonly report: object;
}

/** The newest snapshot without its report: cheap enough to poll. */
export interface ScoreSnapshotHead {
  readonly id: number;
  /** Changes whenever the row changes (the live snapshot is updated in place): `xmin` of the row. */
  readonly version: string;
  readonly weights_id: number | null;
  readonly block_number: number;
  readonly eligible_count: number;
  readonly reason: string | null;
  readonly created_at: Date;
}

/** Inserts a snapshot and returns its id. */
export async function insertScoreSnapshot(db: Kysely<Database>, row: NewScoreSnapshot): Promise<number> {
  const inserted = await db
    .insertInto('score_snapshots')
    .values({
      weights_id: row.weightsId,
      block_number: row.blockNumber,
      eligible_count: row.eligibleCount,
      reason: row.reason,
      report: JSON.stringify(row.report),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}

/** Outcome of {@link recordLiveScoreSnapshot}. */
export interface LiveSnapshotWrite {
  readonly id: number;
  /** Whether a new row was inserted (false: the live row was updated). */
  readonly created: boolean;
  /** `reason.code` of the live row before this write, if it was updated. */
  readonly previousReasonCode: string | null;
}

/**
 * Writes a pass that published nothing: updates the newest snapshot when it is the live one,
 * inserts a new live row otherwise (after a publication, or on the first pass). Runs in its own
 * transaction and locks the newest row, so two writers cannot both insert.
 */
export async function recordLiveScoreSnapshot(db: Kysely<Database>, row: Omit<NewScoreSnapshot, 'weightsId'>): Promise<LiveSnapshotWrite> {
  return db.transaction().execute(async (trx) => {
    const newest = await trx
      .selectFrom('score_snapshots')
      .select(['id', 'weights_id', sql<string | null>`report -> 'reason' ->> 'code'`.as('reason_code')])
      .orderBy('id', 'desc')
      .limit(1)
      .forUpdate()
      .executeTakeFirst();
    if (newest && newest.weights_id === null) {
      await trx
        .updateTable('score_snapshots')
        .set({ block_number: row.blockNumber, eligible_count: row.eligibleCount, reason: row.reason, report: JSON.stringify(row.report) })
        .where('id', '=', newest.id)
        .execute();
      return { id: newest.id, created: false, previousReasonCode: newest.reason_code };
    }
    const id = await insertScoreSnapshot(trx, { ...row, weightsId: null });
    return { id, created: true, previousReasonCode: null };
  });
}

/** A snapshot by id, if it exists. */
export async function getScoreSnapshot(db: Kysely<Database>, id: number): Promise<ScoreSnapshotRow | undefined> {
  return db.selectFrom('score_snapshots').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The newest snapshot (live or publication), if any. */
export async function getLatestScoreSnapshot(db: Kysely<Database>): Promise<ScoreSnapshotRow | undefined> {
  return db.selectFrom('score_snapshots').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst();
}

/** The newest snapshot's identity and outcome, without the report. */
export async function getLatestScoreSnapshotHead(db: Kysely<Database>): Promise<ScoreSnapshotHead | undefined> {
  return db
    .selectFrom('score_snapshots')
    .select(['id', sql<string>`xmin::text`.as('version'), 'weights_id', 'block_number', 'eligible_count', 'reason', 'created_at'])
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The version of the newest snapshot (`id:xmin`: the live one changes in place), or null when there is none. */
export async function getLatestScoreSnapshotVersion(db: Kysely<Database>): Promise<string | null> {
  const head = await getLatestScoreSnapshotHead(db);
  return head ? `${head.id}:${head.version}` : null;
}

/**
 * The newest snapshot with its version, read together (repeatable read) so that the version
 * always describes the row returned.
 */
export async function getLatestScoreSnapshotVersioned(
  db: Kysely<Database>,
): Promise<{ readonly version: string; readonly row: ScoreSnapshotRow } | undefined> {
  const [version, row] = await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => [await getLatestScoreSnapshotVersion(trx), await getLatestScoreSnapshot(trx)] as const);
  return version !== null && row ? { version, row } : undefined;
}

/** The newest scoring pass as `/v1/status` shows it: the head plus when it was computed. */
export interface ScoringPassSummary extends Omit<ScoreSnapshotHead, 'version'> {
  /** `computedAt` of the report (ISO-8601); null if the report lacks it. */
  readonly computed_at: string | null;
}

/** The newest snapshot's outcome and computation time (reads one field of its report). */
export async function getLatestScoringPass(db: Kysely<Database>): Promise<ScoringPassSummary | undefined> {
  return db
    .selectFrom('score_snapshots')
    .select([
      'id',
      'weights_id',
      'block_number',
      'eligible_count',
      'reason',
      'created_at',
      sql<string | null>`report ->> 'computedAt'`.as('computed_at'),
    ])
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The publication snapshot of a weights row (the report that produced it), if kept. */
export async function getScoreSnapshotOfWeights(db: Kysely<Database>, weightsId: number): Promise<ScoreSnapshotRow | undefined> {
  return db.selectFrom('score_snapshots').selectAll().where('weights_id', '=', weightsId).orderBy('id').limit(1).executeTakeFirst();
}
