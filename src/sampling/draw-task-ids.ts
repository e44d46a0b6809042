import { randomInt } from 'node:crypto';
import { DatasetTooSmallError } from './sampling-error.ts';

/** A dataset of task ids `[start, end)`. */
export interface TaskIdRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Draws `count` distinct task ids from `range` minus `exclude`, uniformly, with `crypto.randomInt`
 * (miners must not predict future ids). Ids come out in draw order.
 *
 * Rejection sampling while at least half of the dataset stays free after the draw (≤ 2 tries
 * per id on average, memory O(count + |exclude|)); otherwise the free ids are enumerated and a
 * partial Fisher-Yates shuffle picks them. The second branch only runs when the dataset is at
 * most twice `|exclude ∩ range| + count`, so its array stays small.
 *
 * Throws {@link DatasetTooSmallError} when fewer than `count` ids are free.
 */
export function drawTaskIds(envId: string, range: TaskIdRange, count: number, exclude: ReadonlySet<number> = new Set()): number[] {
  const size = range.end - range.start;
  let taken = 0;
  for (const id of exclude) if (id >= range.start && id < range.end) taken++;
  const available = size - taken;
  if (count > available) throw new DatasetTooSmallError(envId, size, count, available, `a draw of ${count} ids`);
  if (count <= 0) return [];

  if ((available - count) * 2 >= size) {
    const drawn = new Set<number>();
    while (drawn.size < count) {
      const id = randomInt(range.start, range.end);
      if (!exclude.has(id)) drawn.add(id);
    }
    return [...drawn];
  }

  const free: number[] = [];
  for (let id = range.start; id < range.end; id++) if (!exclude.has(id)) free.push(id);
  for (let i = 0; i < count; i++) {
    const j = randomInt(i, free.length);
    [free[i], free[j]] = [free[j]!, free[i]!];
  }
  return free.slice(0, count);
}
