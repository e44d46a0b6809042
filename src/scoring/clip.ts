/** Clamps `x` into `[low, high]` (callers guarantee `low <= high`). */
export function clip(x: number, low: number, high: number): number {
  return Math.min(Math.max(x, low), high);
}
