// Colour and axis scales shared by the charts.

const STOPS = [
  [0, [238, 242, 247]],
  [0.5, [147, 183, 230]],
  [1, [29, 78, 216]],
];

/** Fill of a coverage cell: pale grey-blue at 0 to deep blue at 1. */
export function coverageColor(c) {
  const x = Math.min(1, Math.max(0, c));
  for (let i = 1; i < STOPS.length; i++) {
    const [x1, c1] = STOPS[i];
    if (x <= x1) {
      const [x0, c0] = STOPS[i - 1];
      const t = (x - x0) / (x1 - x0);
      return `rgb(${c0.map((v, k) => Math.round(v + (c1[k] - v) * t)).join(', ')})`;
    }
  }
  return 'rgb(29, 78, 216)';
}

/** Whether text on a coverage cell should be light. */
export function coverageIsDark(c) {
  return c > 0.62;
}

/** The colour stops for a legend gradient. */
export function coverageStops() {
  return STOPS.map(([offset]) => ({ offset, color: coverageColor(offset) }));
}

const TIME_STEPS = [60, 300, 600, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400].map((s) => s * 1000);

/** Round tick times (ms) covering `[lo, hi]`, at most about `max` of them. */
export function timeTicks(lo, hi, max = 7) {
  const step = TIME_STEPS.find((s) => (hi - lo) / s <= max) ?? TIME_STEPS[TIME_STEPS.length - 1];
  // Align to the local clock (whole hours for hour steps) rather than to UTC.
  const offset = new Date(lo).getTimezoneOffset() * 60_000;
  const ticks = [];
  for (let t = Math.ceil((lo - offset) / step) * step + offset; t <= hi; t += step) ticks.push(t);
  return ticks;
}

/** A linear map from `[d0, d1]` to `[r0, r1]`. */
export function linear(d0, d1, r0, r1) {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (x) => r0 + (x - d0) * k;
}
