// A stacked bar of pool counts (pending, assigned, paused) and its legend.
import { s, tip } from './dom.js';
import { int } from './format.js';

/** The pool's task states, in drawing order. */
export const POOL_STATES = [
  { key: 'assigned', label: 'assigned' },
  { key: 'pending', label: 'pending' },
  { key: 'paused', label: 'paused' },
];

/** The total of a pool count object (pending + assigned + paused). */
export function poolTotal(p) {
  return p.pending + p.assigned + p.paused;
}

/** A `<g>` at (x, y): `width` is the length of `max` tasks. */
export function poolBar(p, { x, y, width, height, max, label }) {
  const g = s('g', { class: 'pool-bar', transform: `translate(${x},${y})` });
  g.append(tip(label, `assigned ${int(p.assigned)} · pending ${int(p.pending)} · paused ${int(p.paused)}`));
  g.append(s('rect', { class: 'track', width, height, rx: 2 }));
  let at = 0;
  for (const { key } of POOL_STATES) {
    const w = max > 0 ? (p[key] / max) * width : 0;
    if (w <= 0) continue;
    g.append(s('rect', { class: `seg ${key}`, x: at, width: Math.max(1, w), height, rx: 1 }));
    at += w;
  }
  return g;
}
