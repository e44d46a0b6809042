/**
 * Chain weights: integers that sum to exactly 65535, by largest remainder. With normalised float
 * weights `w_i`, each uid gets `floor(w_i·65535)` and the units still missing go, one each, to
 * the largest fractional parts `w_i·65535 − floor(w_i·65535)`; ties go to the lower uid. Only uids
 * with a positive weight receive a unit, so a zero weight stays 0.
 */

import type { U16Weights } from '../db/schema.ts';

/** The total the chain normalises u16 weights against. */
export const U16_TOTAL = 65535;

/** One uid and its float weight (>= 0). */
export interface UidWeight {
  readonly uid: number;
  readonly weight: number;
}

/**
 * Converts float weights (any positive total; they are normalised first) into u16 weights for
 * every given uid, zeros included. Throws a `RangeError` on duplicate or non-integer uids,
 * negative or non-finite weights, or a total of 0.
 */
export function toU16Weights(entries: readonly UidWeight[]): U16Weights {
  const sorted = [...entries].sort((a, b) => a.uid - b.uid);
  let total = 0;
  sorted.forEach((e, i) => {
    if (!Number.isInteger(e.uid) || e.uid < 0) throw new RangeError(`toU16Weights: uid must be an integer >= 0, got ${e.uid}`);
    if (i > 0 && sorted[i - 1]!.uid === e.uid) throw new RangeError(`toU16Weights: duplicate uid ${e.uid}`);
    if (!Number.isFinite(e.weight) || e.weight < 0) {
      throw new RangeError(`toU16Weights: weight of uid ${e.uid} must be finite and >= 0, got ${e.weight}`);
    }
    total += e.weight;
  });
  if (!(total > 0)) throw new RangeError('toU16Weights: weights sum to 0; there is nothing to distribute');

  const values = new Array<number>(sorted.length);
  const remainders: { index: number; remainder: number }[] = [];
  let assigned = 0;
  sorted.forEach((e, i) => {
    const quota = (e.weight / total) * U16_TOTAL;
    const floor = Math.min(Math.floor(quota), U16_TOTAL);
    values[i] = floor;
    assigned += floor;
    if (e.weight > 0) remainders.push({ index: i, remainder: quota - floor });
  });

  // Exact arithmetic gives 0 <= missing < number of positive weights; rounding of the quotas
  // moves Σ quota by far less than one unit, so the same holds here.
  const missing = U16_TOTAL - assigned;
  if (missing < 0 || missing > remainders.length) {
    throw new Error(`toU16Weights: internal rounding error (${missing} units missing for ${remainders.length} uids)`);
  }
  // Stable sort on ascending index = ascending uid, so equal remainders favour the lower uid.
  remainders.sort((a, b) => b.remainder - a.remainder);
  for (let k = 0; k < missing; k++) values[remainders[k]!.index]! += 1;

  return { uids: sorted.map((e) => e.uid), values };
}
