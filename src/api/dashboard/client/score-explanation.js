// A miner's outcome in the latest scoring pass, explained by the API (scoring/explain-score.ts):
// one sentence, then either the envs whose coverage keeps it ineligible or, per env, the
// single-env contest (who it had to beat, who took the env from it).
import { h } from './dom.js';
import { int, pct } from './format.js';

const OUTCOME = { holds: 'holds the env', 'not-exceeded': 'did not exceed the holder', taken: 'taken by a later miner' };

function shortfalls(score) {
  return h(
    'table',
    { class: 'miner-score', 'data-shortfalls': '' },
    h('caption', {}, `Below min coverage ${pct(score.min_coverage)}`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['environment', 'results', 'list', 'coverage', 'missing'].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h(
      'tbody',
      {},
      score.coverage_shortfalls.map((f) =>
        h(
          'tr',
          { 'data-env': f.env_id },
          h('td', {}, f.env_id),
          h('td', { class: 'num' }, int(f.n)),
          h('td', { class: 'num' }, int(f.list_size)),
          h('td', { class: 'num' }, pct(f.coverage, 1)),
          h('td', { class: 'num' }, int(f.missing)),
        ),
      ),
    ),
  );
}

function contests(score) {
  return h(
    'table',
    { class: 'miner-score', 'data-contests': '' },
    h('caption', {}, 'Each environment alone, in commit order (a later miner must strictly exceed the holder’s threshold)'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['environment', 'success', 'its threshold', 'outcome', 'against', 'their rate', 'their threshold', 'winner'].map((t) =>
          h('th', { scope: 'col' }, t),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      score.contests.map((c) =>
        h(
          'tr',
          { 'data-env': c.env_id, 'data-outcome': c.outcome },
          h('td', {}, c.env_id),
          h('td', { class: 'num' }, pct(c.success_rate, 1)),
          h('td', { class: 'num' }, pct(c.threshold, 1)),
          h('td', {}, h('span', { class: `badge ${c.outcome === 'holds' ? 'ok' : 'no'}` }, OUTCOME[c.outcome] ?? c.outcome)),
          h(
            'td',
            { class: 'num', title: c.rival ? `committed at block ${c.rival.committed_block}` : '' },
            c.rival ? `uid ${c.rival.uid}` : '—',
          ),
          h('td', { class: 'num' }, c.rival ? pct(c.rival.success_rate, 1) : '—'),
          h('td', { class: 'num' }, c.rival ? pct(c.rival.threshold, 1) : '—'),
          h('td', { class: 'num' }, `uid ${c.winner_uid}`),
        ),
      ),
    ),
  );
}

/** The score part of the miner panel: the API's `miner.score` (null before its first pass). */
export function scoreExplanation(m) {
  const score = m.score;
  if (!score)
    return h(
      'p',
      { class: 'note', 'data-score-summary': 'none' },
      'Not in the latest scoring pass: no pass has run since this hotkey registered at this uid.',
    );
  return [
    h(
      'p',
      { class: 'score-summary', 'data-score-summary': '', title: `pass #${score.pass_id} at block ${score.block_number}` },
      score.summary,
    ),
    score.eligible ? contests(score) : shortfalls(score),
  ];
}
