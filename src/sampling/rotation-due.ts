import type { CurrentList } from './current-list.ts';

/** When `list` is next due: its last rotation (or creation) plus the interval. */
export function nextRotationAt(list: Pick<CurrentList, 'lastRotatedAt' | 'rotation'>): Date {
  return new Date(list.lastRotatedAt.getTime() + list.rotation.intervalSeconds * 1000);
}

/** Whether a scheduled rotation of `list` is due at `now`: `now − last_rotated_at ≥ interval`. */
export function isRotationDue(list: Pick<CurrentList, 'lastRotatedAt' | 'rotation'>, now: Date): boolean {
  return now.getTime() >= nextRotationAt(list).getTime();
}
