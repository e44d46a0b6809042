// The latest scoring pass as a table: one row per miner, heaviest weight first.
import { empty, h, swap, update } from './dom.js';
import { int, pct, relative, shortKey } from './format.js';
import { minerLink } from './miner-detail.js';

function envCell(e, minCoverage) {
  if (!e) return h('td', { class: 'env muted' }, '—');
  const title = `coverage ${pct(e.coverage, 1)} (n ${e.n}) · success rate ${pct(e.success_rate, 1)}${e.threshold === null ? '' : ` · threshold ${pct(e.threshold, 1)}`}`;
  return h(
    'td',
    { class: `env${e.eligible ? '' : ' below'}`, title: e.eligible ? title : `${title} · below min coverage ${pct(minCoverage)}` },
    h('span', { class: 'sr' }, pct(e.success_rate)),
    h('span', { class: 'n' }, ` n ${int(e.n)}`),
  );
}

/** Draws the score table into `el`. */
export function renderScores(el, model) {
  const sc = model.scores;
  if (!sc) {
    const r = model.results.scores;
    return swap(el, empty(r.status === 404 ? 'No scoring pass yet.' : 'The scores could not be read.', r.error));
  }
  if (sc.miners.length === 0) return swap(el, empty('The latest scoring pass had no miners.'));

  const meta = [
    `pass #${sc.id} at block ${int(sc.block_number)}`,
    `computed ${relative(Date.parse(sc.computed_at), model.now)} in ${sc.computation_ms} ms`,
    `${sc.eligible_count} of ${sc.miners.length} eligible`,
    `min coverage ${pct(sc.params.min_coverage)}`,
    `temperature ${sc.params.temperature}`,
  ];
  update(el, [
    ['meta', null, () => h('p', { class: 'meta' }, meta.join(' · '))],
    ['note', null, () => (sc.reason ? h('p', { class: 'note' }, `This pass published nothing: ${sc.reason}`) : null)],
    // A pass is immutable once computed (the live snapshot changes its computed_at when redone).
    ['table', JSON.stringify([sc.id, sc.computed_at]), () => table(sc)],
  ]);
}

function table(sc) {
  const envIds = sc.envs.map((e) => e.env_id);
  const frontier = new Set(sc.frontier);
  const miners = [...sc.miners].sort((a, b) => b.weight - a.weight || b.points - a.points || a.uid - b.uid);
  const head = h(
    'tr',
    {},
    h('th', { scope: 'col', class: 'num' }, 'uid'),
    h('th', { scope: 'col' }, 'hotkey'),
    h('th', { scope: 'col' }, 'eligible'),
    h('th', { scope: 'col', class: 'num' }, 'points'),
    h('th', { scope: 'col', class: 'num', title: 'non-empty subsets of environments won' }, 'subsets'),
    h('th', { scope: 'col', class: 'num' }, 'weight'),
    h('th', { scope: 'col', class: 'num' }, 'u16'),
    h('th', { scope: 'col', title: 'on the ε-Pareto frontier' }, 'frontier'),
    h('th', { scope: 'col', class: 'num', title: 'block the miner committed its revision at (earlier wins ties)' }, 'committed'),
    envIds.map((id) => h('th', { scope: 'col', class: 'env', title: `${id}: success rate and n (results in the current list)` }, id)),
  );
  const rows = miners.map((m) =>
    h(
      'tr',
      { 'data-uid': m.uid, class: m.eligible ? '' : 'ineligible' },
      h('th', { scope: 'row', class: 'num' }, minerLink(m.uid, String(m.uid))),
      h('td', { class: 'mono', title: `${m.hotkey} · revision ${m.revision}` }, shortKey(m.hotkey, 8)),
      h('td', {}, h('span', { class: `badge ${m.eligible ? 'ok' : 'no'}` }, m.eligible ? 'eligible' : 'not eligible')),
      h('td', { class: 'num' }, int(m.points)),
      h('td', { class: 'num' }, int(m.subsets_won)),
      h('td', { class: 'num' }, pct(m.weight, 2)),
      h('td', { class: 'num' }, m.weight_u16 === null ? '—' : int(m.weight_u16)),
      h('td', {}, frontier.has(m.uid) ? h('span', { class: 'badge star' }, '★ frontier') : ''),
      h('td', { class: 'num' }, int(m.committed_block)),
      envIds.map((id) => envCell(m.envs[id], sc.params.min_coverage)),
    ),
  );
  return h(
    'div',
    { class: 'table-wrap', 'data-scroll': 'scores' },
    h(
      'table',
      { class: 'scores' },
      h('caption', { class: 'visually-hidden' }, 'Scores of the latest pass'),
      h('thead', {}, head),
      h('tbody', {}, rows),
    ),
  );
}
