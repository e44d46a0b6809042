import type { CurrentList } from './current-list.ts';

/** What the scheduler needs to serve an env by need (DESIGN.md, "Per-miner slots"). */
export interface RotationOutlook {
  readonly envId: string;
  /**
   * Each id's position in the FIFO: 0 leaves first. Ids with rank < `rotation.count` leave at
   * the next rotation; in general an id leaves at rotation number `floor(rank / count) + 1`.
   */
  readonly ranks: ReadonlyMap<number, number>;
  /** New ids per hour: `count × 3600 / interval_seconds`. */
  readonly ratePerHour: number;
  /** When the next scheduled rotation becomes due. */
  readonly nextRotationAt: Date;
}

/** Id → position in the FIFO (0 = oldest, rotates out first). */
export function rotationRanks(taskIds: readonly number[]): Map<number, number> {
  return new Map(taskIds.map((id, rank) => [id, rank]));
}

/** Ids that enter (and leave) the list per hour. */
export function rotationRatePerHour(rotation: { readonly count: number; readonly intervalSeconds: number }): number {
  return (rotation.count * 3600) / rotation.intervalSeconds;
}

/** When `list` is next due: its last rotation (or creation) plus the interval. */
export function nextRotationAt(list: Pick<CurrentList, 'lastRotatedAt' | 'rotation'>): Date {
  return new Date(list.lastRotatedAt.getTime() + list.rotation.intervalSeconds * 1000);
}

/** Whether a scheduled rotation of `list` is due at `now`: `now − last_rotated_at ≥ interval`. */
export function isRotationDue(list: Pick<CurrentList, 'lastRotatedAt' | 'rotation'>, now: Date): boolean {
  return now.getTime() >= nextRotationAt(list).getTime();
}

/** Ranks, rate and next rotation of one list. */
function rotationOutlook(list: CurrentList): RotationOutlook {
  return { envId: list.envId, ranks: rotationRanks(list.taskIds), ratePerHour: rotationRatePerHour(list.rotation), nextRotationAt: nextRotationAt(list) };
}

/** {@link rotationOutlook} of every list, by env id. */
export function rotationOutlooks(lists: readonly CurrentList[]): Map<string, RotationOutlook> {
  return new Map(lists.map((list) => [list.envId, rotationOutlook(list)]));
}
