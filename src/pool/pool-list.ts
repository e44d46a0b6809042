/**
 * An env's current sampling list as the pool needs it (a subset of what the sampling module
 * returns; any object with these fields fits). Never served publicly: ids are secret until run.
 */
export interface PoolList {
  readonly env_id: string;
  /** Oldest first: the front leaves at the next rotation. */
  readonly task_ids: readonly number[];
  readonly rotation_count: number;
  readonly rotation_interval_seconds: number;
  /** Bumps on every rotation. */
  readonly version: number;
  readonly last_rotated_at: Date;
}
