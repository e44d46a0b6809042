import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { getSamplingLists, type SamplingListRow } from '../db/tables/sampling-lists.ts';

/** An environment's sampling list as the rest of evalpool sees it. Not public: never serve the ids. */
export interface CurrentList {
  readonly envId: string;
  readonly family: string;
  /** Oldest first: the first `rotation.count` ids leave at the next rotation. */
  readonly taskIds: readonly number[];
  readonly dataset: { readonly start: number; readonly end: number };
  readonly listSize: number;
  readonly rotation: { readonly count: number; readonly intervalSeconds: number };
  readonly scored: boolean;
  /** Number of changes since creation; bumps on every rotation. */
  readonly version: number;
  readonly createdAt: Date;
  /** Creation time until the first rotation. */
  readonly lastRotatedAt: Date;
}

/** Maps a stored row to a {@link CurrentList}. */
export function toCurrentList(row: SamplingListRow): CurrentList {
  return {
    envId: row.env_id,
    family: row.family,
    taskIds: row.task_ids,
    dataset: { start: row.dataset_start, end: row.dataset_end },
    listSize: row.list_size,
    rotation: { count: row.rotation_count, intervalSeconds: row.rotation_interval_seconds },
    scored: row.scored,
    version: row.version,
    createdAt: row.created_at,
    lastRotatedAt: row.last_rotated_at,
  };
}

/**
 * Every stored list, by env id order. `envIds` restricts the answer to those envs (the
 * scheduler passes the envs that have a definition file, so that a removed file stops the env).
 */
export async function getCurrentLists(db: Kysely<Database>, envIds?: readonly string[]): Promise<CurrentList[]> {
  const rows = await getSamplingLists(db);
  const wanted = envIds ? new Set(envIds) : undefined;
  return rows.filter((row) => !wanted || wanted.has(row.env_id)).map(toCurrentList);
}
