// Health cards: Postgres, Redis, the scheduler leader, its last tick, weights, scoring, pool.
import { h, swap } from './dom.js';
import { int, relative } from './format.js';

function card(label, tone, value, detail) {
  return h(
    'div',
    { class: `card ${tone}`, 'data-card': label },
    h('h3', {}, label),
    h('p', { class: `value${String(value).length > 14 ? ' long' : ''}` }, value),
    detail ? h('p', { class: 'detail' }, detail) : null,
  );
}

function probeCard(label, probe) {
  if (!probe) return card(label, 'unknown', 'unknown', 'the health check did not answer');
  return probe.ok ? card(label, 'ok', 'up', `answered in ${probe.latency_ms} ms`) : card(label, 'bad', 'down', probe.error ?? 'no answer');
}

/** Draws the health panel into `el`. */
export function renderHealth(el, model) {
  const { status, health, stats, now } = model;
  const sched = status?.scheduler ?? null;
  const cards = [probeCard('Postgres', health?.database), probeCard('Redis', health?.redis)];

  if (!status) cards.push(card('Leader', 'unknown', 'unknown', model.results.status.error));
  else if (!sched) cards.push(card('Leader', 'unknown', 'unknown', status.scheduler_error));
  else if (!sched.leader_id) cards.push(card('Leader', 'bad', 'none', 'no process holds the scheduler lease'));
  else cards.push(card('Leader', 'ok', sched.leader_id, 'holds the scheduler lease'));

  const tick = sched?.last_tick_at ? Date.parse(sched.last_tick_at) : null;
  const failing = (sched?.tasks ?? []).filter((t) => t.last_error);
  cards.push(
    card(
      'Last tick',
      tick === null ? 'unknown' : failing.length > 0 ? 'warn' : 'ok',
      tick === null ? 'none yet' : relative(tick, now),
      failing.length > 0
        ? `failing: ${failing.map((t) => `${t.name} (${t.last_error})`).join('; ')}`
        : sched?.miner_discovery
          ? `discovery: ${sched.miner_discovery.active} active miners at block ${int(sched.miner_discovery.block)}`
          : null,
    ),
  );

  const w = status?.weights ?? null;
  cards.push(
    w
      ? card(
          'Weights',
          status.why_no_weights ? 'warn' : 'ok',
          `block ${int(w.block_number)}`,
          `published ${relative(Date.parse(w.timestamp), now)} (cycle ${w.cycle_id})`,
        )
      : card('Weights', 'warn', 'none yet', status?.why_no_weights ?? null),
  );

  const pass = status?.last_scoring ?? null;
  cards.push(
    pass
      ? card(
          'Scoring',
          pass.eligible_count > 0 ? 'ok' : 'warn',
          `${pass.eligible_count} eligible`,
          `last pass at block ${int(pass.block_number)}, ${relative(Date.parse(pass.computed_at), now)}`,
        )
      : card('Scoring', 'unknown', 'no pass yet', null),
  );

  cards.push(
    stats
      ? card(
          'Pool',
          'ok',
          `${int(stats.total.in_flight)} in flight`,
          `${int(stats.total.assigned)} assigned · ${int(stats.total.pending)} pending · ${int(stats.total.paused)} paused`,
        )
      : card('Pool', 'unknown', 'unknown', model.results.stats.error),
  );
  swap(el, h('div', { class: 'cards' }, cards));
}
