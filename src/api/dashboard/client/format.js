// Number, time and text formatting for the panels.

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `0.953` → `95%` (or `95.3%` with digits = 1); null → an em dash. */
export function pct(x, digits = 0) {
  return x === null || x === undefined || Number.isNaN(x) ? '—' : `${(x * 100).toFixed(digits)}%`;
}

/** An integer with thousands separators; null → an em dash. */
export function int(x) {
  return x === null || x === undefined ? '—' : integer.format(x);
}

/** A hotkey shortened for labels (`5F3sa…x9Kd`); the full one goes in tooltips. */
export function shortKey(hotkey, keep = 6) {
  return hotkey.length <= keep * 2 + 2 ? hotkey : `${hotkey.slice(0, keep)}…${hotkey.slice(-4)}`;
}

/** Cuts text to about `maxPx` pixels of an 11–12 px system font. */
export function fit(text, maxPx, pxPerChar = 6.6) {
  const max = Math.max(2, Math.floor(maxPx / pxPerChar));
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Labels for env ids that fit `maxPx` each: the ids themselves when all fit, else all without
 * their family prefix (`mujoco/reach-v1` → `reach-v1`, the same rule for every label), cut
 * where still too long. Tooltips carry the full ids.
 */
export function idLabels(ids, maxPx, pxPerChar = 7) {
  const strip = ids.some((id) => id.length * pxPerChar > maxPx);
  return new Map(ids.map((id) => [id, fit(strip ? id.slice(id.lastIndexOf('/') + 1) : id, maxPx, pxPerChar)]));
}

/** A duration in words: `45 s`, `12 min`, `3.5 h`, `2.1 d`. */
export function span(ms) {
  const s = Math.abs(ms) / 1000;
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 36 * 3600) return `${(s / 3600).toFixed(s < 10 * 3600 ? 1 : 0)} h`;
  return `${(s / 86400).toFixed(1)} d`;
}

/** `at` relative to `now`: `12 min ago`, `in 5 s`. */
export function relative(at, now) {
  const d = at - now;
  if (Math.abs(d) < 1500) return 'now';
  return d < 0 ? `${span(d)} ago` : `in ${span(d)}`;
}

/** A local clock time, with the date when it is not today. */
export function clock(ms, now) {
  const d = new Date(ms);
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return new Date(now).toDateString() === d.toDateString()
    ? time
    : `${d.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${time}`;
}
