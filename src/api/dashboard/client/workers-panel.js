// Workers from their heartbeats: state, what each consumes and has done, and the environments
// whose pending tasks no live worker consumes.
import { empty, h, swap } from './dom.js';
import { int, relative } from './format.js';

const UNSCORED = ['miner_unavailable', 'env_error', 'worker_error'];
const sum = (episodes, classes) => classes.reduce((n, c) => n + (episodes?.[c] ?? 0), 0);

function row(w, now) {
  const byClass = Object.entries(w.episodes ?? {})
    .map(([c, n]) => `${c} ${n}`)
    .join(' · ');
  const seen = Date.parse(w.last_seen_at);
  return h(
    'tr',
    { 'data-worker': w.id, 'data-state': w.state },
    h(
      'td',
      { class: 'mono', title: `${w.kind === 'inline' ? 'inline workers of serve' : 'worker process'} · host ${w.host} · pid ${w.pid}` },
      w.id,
    ),
    h('td', {}, h('span', { class: `badge ${w.state}` }, w.state)),
    h('td', {}, w.envs.join(', ')),
    h('td', { class: 'num' }, int(w.concurrency)),
    h('td', { class: 'num' }, int(w.in_flight)),
    h('td', { class: 'num', title: byClass }, int(sum(w.episodes, ['success', 'failure']))),
    h('td', { class: 'num', title: byClass }, int(sum(w.episodes, UNSCORED))),
    h(
      'td',
      { title: new Date(seen).toISOString() },
      w.stopped_at ? `stopped ${relative(Date.parse(w.stopped_at), now)}` : relative(seen, now),
    ),
    h('td', { class: 'muted' }, `${w.version} · since ${relative(Date.parse(w.started_at), now)}`),
  );
}

/** Draws the workers panel into `el`. */
export function renderWorkers(el, model) {
  const data = model.workers;
  if (!data) return swap(el, empty('The workers could not be read.', model.results.workers.error));
  const parts = [];
  for (const e of data.envs_without_consumer ?? []) {
    const last = e.last_consumed_by.length > 0 ? `; last consumed by ${e.last_consumed_by.join(', ')}` : '';
    parts.push(
      h(
        'p',
        { class: 'note bad', 'data-unconsumed': e.env_id },
        `No live worker consumes ${e.env_id}: ${int(e.pending)} pending tasks wait${last}.`,
      ),
    );
  }
  if (data.workers.length === 0) {
    parts.push(empty('No worker has announced itself.', 'Start one with `evalpool worker`, or set EVALPOOL_INLINE_WORKERS for serve.'));
    return swap(el, parts);
  }
  const c = data.counts;
  parts.push(h('p', { class: 'meta' }, `${c.live} live · ${c.stale} stale · ${c.gone} gone`));
  parts.push(
    h(
      'div',
      { class: 'table-wrap', 'data-scroll': 'workers' },
      h(
        'table',
        { class: 'workers' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['worker', 'state', 'environments', 'conc.', 'running', 'scored', 'errors', 'last seen', 'version'].map((t) => h('th', {}, t)),
          ),
        ),
        h(
          'tbody',
          {},
          data.workers.map((w) => row(w, model.now)),
        ),
      ),
    ),
  );
  swap(el, parts);
}
