// One miner in detail, for "why is its score what it is": its outcome in the latest scoring pass
// explained, its circuit and slots, the last error of each class with its time and whole message,
// and its latest finished attempts. The miner is
// chosen in the page's address (#miner=<uid>), by a uid link of the score table or the picker here.
import { empty, h, swap } from './dom.js';
import { int, relative, shortKey } from './format.js';
import { scoreExplanation } from './score-explanation.js';

/** The uid in the page's address, or null. */
export function selectedUid() {
  const match = /^#miner=(\d{1,5})$/.exec(location.hash);
  return match ? Number(match[1]) : null;
}

/** A link that opens a miner's detail (keeps the page where it is: the panel scrolls into view). */
export function minerLink(uid, text) {
  return h('a', { href: `#miner=${uid}`, class: 'miner-link', title: `uid ${uid}: last errors and recent attempts` }, text);
}

// Unscored classes first: they are what a miner fixes on its side (docs/design.md, error classes).
const CLASS_ORDER = ['miner_unavailable', 'failure', 'env_error', 'worker_error'];

function picker(model, uid) {
  const select = h(
    'select',
    { 'aria-label': 'miner', 'data-miner-picker': '' },
    h('option', { value: '' }, 'choose a miner…'),
    model.rows
      .filter((r) => r.miner)
      .map((r) => h('option', { value: String(r.uid), selected: r.uid === uid }, `uid ${r.uid} · ${shortKey(r.hotkey, 8)}`)),
  );
  select.addEventListener('change', () => {
    location.hash = select.value === '' ? '' : `#miner=${select.value}`;
  });
  return h('p', { class: 'meta' }, select);
}

function summary(m, now) {
  const circuit = m.circuit
    ? `circuit ${m.circuit.state}${m.circuit.retry_at ? ` (probe ${relative(Date.parse(m.circuit.retry_at), now)})` : ''}`
    : 'circuit unknown';
  const slots = `${int(m.slots.effective)} slots${m.slots.pinned === null ? '' : ' (pinned)'}${m.slots.scheduling_paused ? ' · scheduling paused' : ''}`;
  const last = m.last_result
    ? `last result ${m.last_result.success ? 'success' : 'failure'} ${relative(Date.parse(m.last_result.created_at), now)} (${m.last_result.env_id})`
    : 'no result yet';
  return h(
    'p',
    { class: 'meta', title: `${m.hotkey} · revision ${m.revision}` },
    `uid ${m.uid} · ${shortKey(m.hotkey, 10)} · ${circuit} · ${slots} · ${m.in_flight ?? '?'} in flight · ${last}`,
  );
}

function lastErrors(m, now) {
  const rank = (c) => (CLASS_ORDER.includes(c) ? CLASS_ORDER.indexOf(c) : CLASS_ORDER.length);
  const classes = Object.keys(m.last_errors).sort((a, b) => rank(a) - rank(b));
  if (classes.length === 0)
    return h('p', { class: 'note', 'data-last-errors': 'none' }, 'No error of any class: every finished attempt succeeded.');
  return h(
    'table',
    { class: 'miner-errors', 'data-last-errors': '' },
    h('caption', {}, 'Last error of each class'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['class', 'when', 'environment', 'task', 'message'].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h(
      'tbody',
      {},
      classes.map((c) => {
        const e = m.last_errors[c];
        return h(
          'tr',
          { 'data-class': c },
          h('td', {}, h('span', { class: `badge ${c}` }, c)),
          h('td', { title: e.at }, relative(Date.parse(e.at), now)),
          h('td', {}, e.env_id),
          h('td', { class: 'num' }, int(e.task_id)),
          h('td', { class: 'message' }, e.message ?? '—'),
        );
      }),
    ),
  );
}

function recentAttempts(m, now) {
  if (m.recent_attempts.length === 0) return h('p', { class: 'note' }, 'No finished attempt yet.');
  return h(
    'div',
    { class: 'table-wrap', 'data-scroll': 'miner-attempts' },
    h(
      'table',
      { class: 'miner-attempts', 'data-recent-attempts': '' },
      h('caption', {}, `Latest ${m.recent_attempts.length} finished attempts, newest first`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['when', 'outcome', 'environment', 'task', 'attempt', 'duration', 'worker', 'message'].map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h(
        'tbody',
        {},
        m.recent_attempts.map((a) =>
          h(
            'tr',
            { 'data-class': a.error_class },
            h('td', { title: a.at }, relative(Date.parse(a.at), now)),
            h('td', {}, h('span', { class: `badge ${a.error_class}` }, a.error_class)),
            h('td', {}, a.env_id),
            h('td', { class: 'num' }, int(a.task_id)),
            h('td', { class: 'num' }, int(a.attempt)),
            h('td', { class: 'num' }, a.duration_ms === null ? '—' : `${int(a.duration_ms)} ms`),
            h('td', { class: 'mono' }, a.worker_id ?? '—'),
            h('td', { class: 'message' }, a.message ?? ''),
          ),
        ),
      ),
    ),
  );
}

/** Draws the miner detail panel into `el`. */
export function renderMinerDetail(el, model) {
  const uid = model.selectedUid;
  const parts = [picker(model, uid)];
  if (uid === null) {
    parts.push(
      empty(
        'Choose a miner here or click a uid in the score table.',
        'Shown: why its score is what it is, the last error of each class with its time, and the latest finished attempts.',
      ),
    );
    return swap(el, parts);
  }
  const r = model.results.miner;
  if (!r || !r.ok) {
    parts.push(empty(`Miner uid ${uid} could not be read.`, r?.error));
    return swap(el, parts);
  }
  const m = r.data.miner;
  parts.push(summary(m, model.now), scoreExplanation(m), lastErrors(m, model.now), recentAttempts(m, model.now));
  swap(el, parts);
}
