/** The arithmetic mean of `values`; NaN for no values. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const x of values) sum += x;
  return sum / values.length;
}
