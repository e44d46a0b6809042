// Rotation timeline: per environment, its last and next rotation on one time axis, with now.
import { empty, h, s, swap, tip } from './dom.js';
import { clock, idLabels, relative, span } from './format.js';
import { linear, timeTicks } from './scale.js';

const LABEL_W = 170;
const TEXT_W = 310;
const ROW_H = 28;
const AXIS_H = 24;

/** Draws the rotation panel into `el`, `panelWidth` px wide. */
export function renderRotation(el, model, panelWidth) {
  const envs = model.results.environments.ok ? model.results.environments.data.environments : [];
  if (envs.length === 0) {
    return swap(
      el,
      empty(
        'No environments yet.',
        model.results.environments.ok
          ? 'Sampling lists are created from sampling-lists/*.json when the scheduler starts.'
          : model.results.environments.error,
      ),
    );
  }
  const now = model.now;
  const times = envs.flatMap((e) => [Date.parse(e.rotation.last_rotated_at), Date.parse(e.rotation.next_rotation_at)]);
  let lo = Math.min(now, ...times);
  let hi = Math.max(now, ...times);
  if (hi - lo < 60_000) hi = lo + 60_000;
  const pad = (hi - lo) * 0.03;
  lo -= pad;
  hi += pad;

  const width = Math.max(560, panelWidth);
  const x = linear(lo, hi, LABEL_W, width - TEXT_W);
  const height = AXIS_H + envs.length * ROW_H + 6;
  const labels = idLabels(
    envs.map((e) => e.env_id),
    LABEL_W - 12,
  );
  const svg = s('svg', { width, height, class: 'timeline', role: 'img' }, tip('Last and next rotation of each environment'));

  for (const t of timeTicks(lo, hi)) {
    svg.append(s('line', { x1: x(t), x2: x(t), y1: AXIS_H - 4, y2: height, class: 'grid' }));
    // The "now" label takes the place of a tick label it would overlap.
    if (Math.abs(x(t) - x(now)) > 46) svg.append(s('text', { x: x(t), y: 12, class: 'axis', 'text-anchor': 'middle' }, clock(t, now)));
  }
  envs.forEach((e, i) => {
    const y = AXIS_H + i * ROW_H + ROW_H / 2;
    const last = Date.parse(e.rotation.last_rotated_at);
    const next = Date.parse(e.rotation.next_rotation_at);
    const due = next <= now;
    const g = s('g', { class: `rotation${due ? ' due' : ''}`, 'data-env': e.env_id });
    g.append(
      tip(
        e.env_id,
        `last rotation ${new Date(last).toLocaleString()} (${relative(last, now)})`,
        `next rotation ${new Date(next).toLocaleString()} (${relative(next, now)})`,
        `${e.rotation.count} of ${e.list_size} ids every ${span(e.rotation.interval_seconds * 1000)}; ${e.rotation.rotations} rotations so far`,
      ),
      s('text', { x: 0, y: y + 4, class: 'env-name' }, labels.get(e.env_id)),
      s('line', { x1: x(last), x2: x(next), y1: y, y2: y, class: 'span' }),
      s('circle', { cx: x(last), cy: y, r: 5, class: 'last' }),
      s('circle', { cx: x(next), cy: y, r: 5, class: 'next' }),
      s(
        'text',
        { x: width - TEXT_W + 14, y: y + 4, class: 'axis' },
        `rotated ${relative(last, now)} · next ${due ? 'due now' : relative(next, now)} · every ${span(e.rotation.interval_seconds * 1000)}`,
      ),
    );
    svg.append(g);
  });
  svg.append(
    s('line', { x1: x(now), x2: x(now), y1: AXIS_H - 6, y2: height, class: 'now' }),
    s('text', { x: x(now), y: 12, class: 'now-label', 'text-anchor': 'middle' }, 'now'),
  );
  swap(
    el,
    h(
      'div',
      { class: 'legend' },
      h('span', { class: 'legend-item' }, h('span', { class: 'dot last' }), 'last rotation'),
      h('span', { class: 'legend-item' }, h('span', { class: 'dot next' }), 'next rotation'),
    ),
    h('div', { class: 'hscroll', 'data-scroll': 'rotation' }, svg),
  );
}
