/**
 * `w_i = exp((x_i − max x) / T) / Σ_k exp((x_k − max x) / T)`, with `T > 0`.
 *
 * Subtracting the max before dividing keeps every exponent ≤ 0, so nothing overflows and no
 * `∞ − ∞` appears even when `T` is tiny; the max itself contributes `exp(0) = 1`, so the sum is
 * ≥ 1. Equal inputs give exactly equal weights (all-zero points give the uniform distribution);
 * weights are non-decreasing in the inputs; they sum to 1 up to rounding.
 */
export function softmax(values: readonly number[], temperature: number): number[] {
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature <= 0) {
    throw new RangeError(`softmax: temperature must be a finite number > 0, got ${String(temperature)}`);
  }
  if (values.length === 0) return [];
  let max = Number.NEGATIVE_INFINITY;
  for (const [i, v] of values.entries()) {
    if (!Number.isFinite(v)) throw new RangeError(`softmax: values[${i}] must be finite, got ${v}`);
    if (v > max) max = v;
  }
  const exps = values.map((v) => Math.exp((v - max) / temperature));
  let total = 0;
  for (const e of exps) total += e;
  return exps.map((e) => e / total);
}
