// The latest weights: one bar per uid with a non-zero weight, largest first.
import { empty, h, s, swap, tip, update } from './dom.js';
import { fit, int, pct, relative, shortKey } from './format.js';

const MAX_BARS = 40;
const LABEL_W = 150;
const TEXT_W = 120;

/** Draws the weights panel into `el`, `width` px wide. */
export function renderWeights(el, model, panelWidth) {
  const w = model.weights;
  if (!w) {
    const r = model.results.weights;
    // 404 is "none yet"; anything else (a 503 while Postgres is down) is "cannot say right now".
    if (r.status !== 404) return swap(el, empty('The weights could not be read.', r.error));
    return swap(el, empty('No weights published yet.', model.status?.why_no_weights ?? r.error));
  }
  const hotkeys = new Map(model.rows.map((r) => [r.uid, r.hotkey]));
  const u16 = new Map(w.weights_u16.uids.map((uid, i) => [uid, w.weights_u16.values[i]]));
  const all = Object.entries(w.weights).map(([uid, weight]) => ({ uid: Number(uid), weight, u16: u16.get(Number(uid)) ?? 0 }));
  const shown = all
    .filter((x) => x.weight > 0 || x.u16 > 0)
    .sort((a, b) => b.weight - a.weight || a.uid - b.uid)
    .slice(0, MAX_BARS);
  const zero = all.filter((x) => !(x.weight > 0 || x.u16 > 0)).length;
  const hidden = all.length - zero - shown.length;

  const rowH = 24;
  const width = Math.max(420, panelWidth);
  const barW = width - LABEL_W - TEXT_W;
  const max = Math.max(...shown.map((x) => x.weight), 1e-12);
  const svg = () => {
    const out = s('svg', { width, height: shown.length * rowH, class: 'weights', role: 'img' }, tip(`Weights of block ${w.block_number}`));
    shown.forEach((x, i) => out.append(bar(x, i)));
    return out;
  };
  const bar = (x, i) => {
    const hotkey = hotkeys.get(x.uid) ?? '';
    const g = s('g', { class: 'row', transform: `translate(0,${i * rowH})` });
    g.append(
      s('rect', { class: 'row-bg', width, height: rowH }),
      s('text', { x: 34, y: 16, class: 'uid', 'text-anchor': 'end' }, String(x.uid)),
      s('text', { x: 42, y: 16, class: 'hotkey' }, fit(shortKey(hotkey, 6), LABEL_W - 48), hotkey ? tip(hotkey) : null),
      s(
        'rect',
        { class: 'bar weight', x: LABEL_W, y: 5, width: Math.max(1, (x.weight / max) * barW), height: rowH - 10, rx: 2, 'data-uid': x.uid },
        tip(`uid ${x.uid}${hotkey ? ` · ${hotkey}` : ''}`, `weight ${x.weight.toPrecision(4)}`, `u16 ${x.u16} of 65535`),
      ),
      s('text', { x: width - TEXT_W + 10, y: 16, class: 'axis' }, `${pct(x.weight, 1)} · ${int(x.u16)}`),
    );
    return g;
  };
  const foot = [];
  if (hidden > 0) foot.push(`${hidden} more with a smaller weight`);
  if (zero > 0) foot.push(`${zero} with weight 0`);
  update(el, [
    [
      'meta',
      null,
      () =>
        h(
          'p',
          { class: 'meta' },
          `block ${int(w.block_number)} · cycle ${w.cycle_id} · published ${relative(Date.parse(w.timestamp), model.now)} · ${all.length} uids`,
        ),
    ],
    [
      'chart',
      JSON.stringify([width, w.cycle_id, shown.map((x) => hotkeys.get(x.uid))]),
      () => (shown.length === 0 ? empty('Every weight is zero.') : h('div', { class: 'vscroll', 'data-scroll': 'weights' }, svg())),
    ],
    ['foot', null, () => (foot.length > 0 ? h('p', { class: 'note' }, `Not drawn: ${foot.join('; ')}.`) : null)],
  ]);
}
