import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { insertRotation, type RotationReason } from '../db/tables/rotations.ts';
import { replaceTaskIds } from '../db/tables/sampling-lists.ts';
import type { CurrentList } from './current-list.ts';
import { drawTaskIds } from './draw-task-ids.ts';

/** One applied change of a list, as recorded in `rotations`. */
export interface Rotation {
  readonly envId: string;
  /** The list's version after this rotation. */
  readonly version: number;
  readonly rotatedAt: Date;
  readonly idsOut: readonly number[];
  readonly idsIn: readonly number[];
  readonly reason: RotationReason;
}

/**
 * One FIFO rotation of `list` as it was read: the `count` oldest ids leave, `count` new ids
 * drawn from the dataset minus the whole list (so a leaving id cannot come straight back) are
 * appended. The new list and its record are written in one transaction, and only if the stored
 * version is still the one read: of two leaders (or a leader and a restart) rotating the same
 * version, exactly one applies; the other gets `undefined`.
 *
 * Throws {@link DatasetTooSmallError} when the dataset has fewer than `count` free ids.
 */
export async function rotateList(
  db: Kysely<Database>,
  list: CurrentList,
  at: Date,
  reason: Extract<RotationReason, 'schedule' | 'ops'>,
): Promise<Rotation | undefined> {
  const count = Math.min(list.rotation.count, list.taskIds.length);
  const idsOut = list.taskIds.slice(0, count);
  const idsIn = drawTaskIds(list.envId, list.dataset, count, new Set(list.taskIds));
  const taskIds = [...list.taskIds.slice(count), ...idsIn];
  return db.transaction().execute(async (trx) => {
    const version = await replaceTaskIds(trx, { envId: list.envId, readVersion: list.version, taskIds, at });
    if (version === undefined) return undefined;
    await insertRotation(trx, { envId: list.envId, version, at, idsOut, idsIn, reason });
    return { envId: list.envId, version, rotatedAt: at, idsOut, idsIn, reason };
  });
}
