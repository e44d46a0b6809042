// The pool panel: coverage heatmap (miner × env) with the pool's counts as bars per miner (right)
// and per env (top). The stats API has no miner × env split, so the bars sit on the margins.
import { empty, h, s, swap, tip, update } from './dom.js';
import { fit, idLabels, int, pct, shortKey } from './format.js';
import { poolOf } from './model.js';
import { POOL_STATES, poolBar, poolTotal } from './pool-bar.js';
import { coverageColor, coverageIsDark, coverageStops } from './scale.js';

const LABEL_W = 210;
const POOL_W = 190;
const HEADER_H = 58;

function geometry(width, rows, envs) {
  const cellW = Math.max(40, Math.min(160, Math.floor((width - LABEL_W - POOL_W - 8) / Math.max(1, envs))));
  const cellH = rows <= 24 ? 26 : rows <= 64 ? 18 : 13;
  return { cellW, cellH, gap: cellH >= 18 ? 2 : 1, width: LABEL_W + envs * cellW + POOL_W, poolX: LABEL_W + envs * cellW + 14 };
}

function legend(model) {
  const stops = coverageStops();
  const w = 180;
  const at = model.minCoverage === null ? null : 4 + model.minCoverage * w;
  const gradient = s(
    'svg',
    { width: w + 24, height: 36, class: 'legend-scale', role: 'img', 'aria-label': 'coverage colour scale from 0% to 100%' },
    s(
      'defs',
      {},
      s(
        'linearGradient',
        { id: 'coverage-gradient' },
        stops.map((st) => s('stop', { offset: st.offset, 'stop-color': st.color })),
      ),
    ),
    s('rect', { x: 4, y: 12, width: w, height: 10, rx: 2, fill: 'url(#coverage-gradient)' }),
    s('text', { x: 4, y: 34, class: 'axis' }, '0%'),
    s('text', { x: w + 4, y: 34, class: 'axis', 'text-anchor': 'end' }, '100%'),
    at === null
      ? null
      : [
          s('line', { x1: at, x2: at, y1: 9, y2: 25, class: 'threshold' }),
          s('text', { x: at, y: 8, class: 'axis', 'text-anchor': 'middle' }, `min ${pct(model.minCoverage)}`),
        ],
  );
  return h(
    'div',
    { class: 'legend' },
    h('span', { class: 'legend-item' }, 'coverage', gradient),
    POOL_STATES.map((st) => h('span', { class: 'legend-item' }, h('span', { class: `swatch ${st.key}` }), st.label)),
    h('span', { class: 'legend-item' }, h('span', { class: 'dot eligible' }), 'eligible'),
    h('span', { class: 'legend-item' }, h('span', { class: 'dot' }), 'not eligible'),
  );
}

function notes(model) {
  const out = [];
  if (!model.scores) out.push('No scoring pass yet: coverage appears after the first one.');
  if (!model.stats) out.push(`Pool counts unavailable: ${model.results.stats.error}`);
  return out.length > 0
    ? h(
        'div',
        {},
        out.map((t) => h('p', { class: 'note' }, t)),
      )
    : null;
}

// Everything the chart shows: it is rebuilt only when this changes.
function chartKey(model, width) {
  return JSON.stringify([
    width,
    model.minCoverage,
    Boolean(model.scores),
    model.envs.map((e) => [e.id, e.scored, e.listSize]),
    model.rows.map((r) => [r.uid, r.hotkey, r.score && [r.score.eligible, r.score.envs]]),
    model.stats && [model.stats.by_env, model.stats.by_miner],
  ]);
}

function header(model, g) {
  const { envs, stats } = model;
  const max = Math.max(1, ...envs.map((e) => poolTotal(poolOf(stats?.by_env, e.id))));
  const labels = idLabels(
    envs.map((e) => e.id),
    g.cellW - 8,
  );
  const svg = s(
    'svg',
    { width: g.width, height: HEADER_H, class: 'heatmap-head', role: 'img' },
    tip('Environments, their list size and the tasks in the pool per environment'),
  );
  envs.forEach((env, i) => {
    const x = LABEL_W + i * g.cellW;
    const p = poolOf(stats?.by_env, env.id);
    svg.append(
      s(
        'g',
        { class: 'env-head', transform: `translate(${x},0)` },
        tip(
          env.id,
          env.scored ? `list of ${int(env.listSize)} task ids` : 'not scored',
          stats ? `in the pool: ${int(poolTotal(p))}` : null,
        ),
        s('text', { x: 3, y: 14, class: 'env-name' }, labels.get(env.id)),
        s('text', { x: 3, y: 28, class: 'axis' }, fit(env.scored ? `list ${int(env.listSize)}` : 'unscored', g.cellW - 6, 6)),
      ),
    );
    if (stats) svg.append(poolBar(p, { x: x + 3, y: 38, width: g.cellW - 8, height: 8, max, label: `${env.id}: tasks in the pool` }));
  });
  svg.append(
    s('text', { x: g.poolX, y: 14, class: 'env-name' }, 'tasks in the pool'),
    s('text', { x: g.poolX, y: 28, class: 'axis' }, 'assigned · pending · paused'),
  );
  svg.append(s('text', { x: 4, y: 52, class: 'axis' }, 'uid · hotkey'));
  return svg;
}

function cell(row, env, model, g, x) {
  const sc = row.score?.envs?.[env.id];
  const attrs = {
    x: x + g.gap / 2,
    y: g.gap / 2,
    width: g.cellW - g.gap,
    height: g.cellH - g.gap,
    rx: 2,
    'data-env': env.id,
    'data-uid': row.uid,
  };
  const who = `uid ${row.uid} · ${row.hotkey}`;
  if (!env.scored) return s('rect', { ...attrs, class: 'cell unscored' }, tip(who, env.id, 'not scored'));
  if (!sc)
    return s(
      'rect',
      { ...attrs, class: 'cell none' },
      tip(who, env.id, model.scores ? 'not in the latest scoring pass' : 'no scoring pass yet'),
    );
  const listSize = model.envs.find((e) => e.id === env.id)?.listSize;
  const lines = [
    who,
    env.id,
    `coverage ${pct(sc.coverage, 1)} (n ${int(sc.n)}${listSize ? ` of ${int(listSize)}` : ''})`,
    `success rate ${pct(sc.success_rate, 1)}`,
    sc.eligible ? 'enough coverage' : `below min coverage ${pct(model.minCoverage)}`,
  ];
  const g2 = s(
    'g',
    {},
    s('rect', { ...attrs, class: `cell${sc.eligible ? '' : ' below'}`, fill: coverageColor(sc.coverage) }, tip(...lines)),
  );
  if (g.cellH >= 18 && g.cellW >= 40) {
    g2.append(
      s(
        'text',
        {
          x: x + g.cellW / 2,
          y: g.cellH / 2 + 4,
          class: `cell-label${coverageIsDark(sc.coverage) ? ' on-dark' : ''}`,
          'text-anchor': 'middle',
        },
        pct(sc.coverage),
      ),
    );
  }
  return g2;
}

function body(model, g) {
  const { rows, envs, stats } = model;
  const max = Math.max(1, ...rows.map((r) => poolTotal(poolOf(stats?.by_miner, r.hotkey))));
  const svg = s(
    'svg',
    { width: g.width, height: rows.length * g.cellH, class: 'heatmap', role: 'img' },
    tip(`Coverage of ${rows.length} miners in ${envs.length} environments`),
  );
  rows.forEach((row, i) => {
    const gr = s('g', { class: 'row', transform: `translate(0,${i * g.cellH})`, 'data-hotkey': row.hotkey });
    gr.append(s('rect', { class: 'row-bg', width: g.width, height: g.cellH }));
    const eligible = row.score ? row.score.eligible : null;
    gr.append(
      s('text', { x: 40, y: g.cellH / 2 + 4, class: 'uid', 'text-anchor': 'end' }, String(row.uid)),
      s('text', { x: 48, y: g.cellH / 2 + 4, class: 'hotkey' }, fit(shortKey(row.hotkey, 8), LABEL_W - 76), tip(row.hotkey)),
      s(
        'circle',
        {
          cx: LABEL_W - 12,
          cy: g.cellH / 2,
          r: Math.min(5, g.cellH / 2 - 2),
          class: `dot${eligible ? ' eligible' : eligible === null ? ' unknown' : ''}`,
        },
        tip(
          eligible === null ? 'not scored yet' : eligible ? 'eligible for weights' : 'not eligible (coverage below the minimum somewhere)',
        ),
      ),
    );
    envs.forEach((env, j) => gr.append(cell(row, env, model, g, LABEL_W + j * g.cellW)));
    if (stats) {
      const p = poolOf(stats.by_miner, row.hotkey);
      const barH = Math.max(6, g.cellH - 10);
      gr.append(
        poolBar(p, {
          x: g.poolX,
          y: (g.cellH - barH) / 2,
          width: POOL_W - 70,
          height: barH,
          max,
          label: `uid ${row.uid}: tasks in the pool`,
        }),
      );
      if (g.cellH >= 18)
        gr.append(
          s(
            'text',
            { x: g.poolX + POOL_W - 64, y: g.cellH / 2 + 4, class: 'axis' },
            `${int(p.assigned)} · ${int(p.pending)} · ${int(p.paused)}`,
          ),
        );
    }
    svg.append(gr);
  });
  return svg;
}

/** Draws the pool panel into `el`, `width` px wide. */
export function renderCoverage(el, model, width) {
  if (model.rows.length === 0) {
    return swap(
      el,
      empty(
        'No miners yet.',
        'Miners appear once discovery finds them on chain (or in the static miners file); their coverage fills in as results arrive.',
      ),
    );
  }
  if (model.envs.length === 0) {
    return swap(el, empty('No environments yet.', 'The scheduler creates one sampling list per file in sampling-lists/ when it starts.'));
  }
  const g = geometry(width, model.rows.length, model.envs.length);
  update(el, [
    ['legend', String(model.minCoverage), () => legend(model)],
    ['notes', null, () => notes(model)],
    [
      'chart',
      chartKey(model, width),
      () =>
        h(
          'div',
          { class: 'hscroll', 'data-scroll': 'heatmap-x' },
          header(model, g),
          h('div', { class: 'vscroll', 'data-scroll': 'heatmap-y' }, body(model, g)),
        ),
    ],
  ]);
}
