import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/**
 * Table types of the Postgres schema (migrations/). One interface per table; queries live in
 * `src/db/tables/<table>.ts`.
 */

/** Every finished attempt has exactly one class (docs/design.md, "Error classes"). */
export type ErrorClass = 'success' | 'failure' | 'miner_unavailable' | 'env_error' | 'worker_error';
/** The classes that produce a result row (scored outcomes). */
export type ScoredClass = Extract<ErrorClass, 'success' | 'failure'>;

type CreatedAt = ColumnType<Date, Date | undefined, Date>;
type BigId = Generated<number>;

export interface MinersTable {
  id: Generated<number>;
  uid: number;
  hotkey: string;
  revision: string;
  endpoint: string;
  committed_block: number;
  first_seen_at: CreatedAt;
  last_seen_at: CreatedAt;
  active: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface SamplingListsTable {
  env_id: string;
  family: string;
  /** Oldest first: rotation removes from the front and appends at the back. */
  task_ids: number[];
  dataset_start: number;
  dataset_end: number;
  list_size: number;
  rotation_count: number;
  rotation_interval_seconds: number;
  scored: boolean;
  /** Number of rotations so far; a rotation only applies to the version it read. */
  version: ColumnType<number, number | undefined, number>;
  created_at: CreatedAt;
  last_rotated_at: CreatedAt;
}

export interface RotationsTable {
  id: BigId;
  env_id: string;
  version: number;
  rotated_at: CreatedAt;
  ids_out: number[];
  ids_in: number[];
  reason: string;
}

export interface ResultsTable {
  id: BigId;
  task_uuid: string;
  env_id: string;
  task_id: number;
  uid: number;
  hotkey: string;
  revision: string;
  success: boolean;
  score: number;
  reward: number | null;
  timesteps: number | null;
  error_class: ScoredClass;
  error_message: string | null;
  /** Mean latency of the miner's actions in the episode. */
  latency_ms: number | null;
  /** Wall time of the whole episode. */
  duration_ms: number | null;
  worker_id: string;
  created_at: CreatedAt;
}

export interface AttemptsTable {
  id: BigId;
  task_uuid: string;
  attempt: number;
  env_id: string;
  task_id: number;
  uid: number;
  hotkey: string;
  revision: string;
  error_class: ErrorClass;
  error_message: string | null;
  duration_ms: number | null;
  worker_id: string;
  /** This attempt delivered the task's `/reset` to the miner (migration 0011; false before it). */
  miner_had_task: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
}

export interface MinerSlotsTable {
  hotkey: string;
  slots: number;
  /** Set by ops: overrides `slots` and stops the adjuster for this miner. */
  pinned: number | null;
  scheduling_paused: ColumnType<boolean, boolean | undefined, boolean>;
  updated_at: CreatedAt;
}

/** A miner's declared concurrency, as its `/health` answered at `endpoint` (migration 0009). */
export interface MinerDeclarationsTable {
  hotkey: string;
  endpoint: string;
  max_concurrent_episodes: number;
  /** Why the answer counted as 1 or was cut; null for a plain answer. */
  problem: string | null;
  probed_at: Date;
}

export interface SlotHistoryTable {
  id: BigId;
  hotkey: string;
  old_slots: number | null;
  new_slots: number;
  reason: string;
  health: number | null;
  samples: number | null;
  created_at: CreatedAt;
}

/**
 * Chain weights in the validators' format (docs/design.md, "Contracts with the outside"): parallel arrays ordered by uid
 * ascending, values summing to 65535. Declared here, with the column that stores it; scoring
 * computes it and chain submits it.
 */
export interface U16Weights {
  readonly uids: readonly number[];
  readonly values: readonly number[];
}

export interface WeightsTable {
  id: BigId;
  block_number: number;
  weights: ColumnType<Record<string, number>, string, string>;
  weights_u16: ColumnType<U16Weights, string, string>;
  metadata: ColumnType<Record<string, unknown>, string, string>;
  created_at: CreatedAt;
}

export interface ScoreSnapshotsTable {
  id: BigId;
  weights_id: number | null;
  block_number: number;
  eligible_count: number;
  reason: string | null;
  report: ColumnType<Record<string, unknown>, string, string>;
  created_at: CreatedAt;
}

/** The whole schema, as Kysely sees it. */
export interface Database {
  miners: MinersTable;
  sampling_lists: SamplingListsTable;
  rotations: RotationsTable;
  results: ResultsTable;
  attempts: AttemptsTable;
  miner_slots: MinerSlotsTable;
  miner_declarations: MinerDeclarationsTable;
  slot_history: SlotHistoryTable;
  weights: WeightsTable;
  score_snapshots: ScoreSnapshotsTable;
}

export type Miner = Selectable<MinersTable>;
export type NewResult = Insertable<ResultsTable>;
export type Result = Selectable<ResultsTable>;
export type NewAttempt = Insertable<AttemptsTable>;
