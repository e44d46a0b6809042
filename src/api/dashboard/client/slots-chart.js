// Slots and in-flight tasks per miner: the track is the miner's slots, the fill its tasks in
// flight. Flags say when slots are pinned, scheduling is paused or the circuit breaker is open.
import { empty, h, s, swap, tip, update } from './dom.js';
import { fit, int, shortKey } from './format.js';

const LABEL_W = 150;
const TEXT_W = 150;

function flags(m) {
  const out = [];
  if (m.slots.pinned !== null) out.push('pinned');
  if (m.slots.scheduling_paused) out.push('paused');
  if (m.circuit && m.circuit.state !== 'closed') out.push(`circuit ${m.circuit.state}`);
  return out;
}

/** Draws the slots panel into `el`, `width` px wide. */
export function renderSlots(el, model, width) {
  const miners = model.rows.filter((r) => r.miner).map((r) => r.miner);
  if (miners.length === 0) return swap(el, empty('No active miners.', 'Slots appear with the first miner.'));
  const unavailable = model.results.miners.ok ? model.results.miners.data.unavailable : null;
  const notes = [];
  if (unavailable?.in_flight) notes.push(`In-flight counts unavailable: ${unavailable.in_flight}`);
  if (unavailable?.circuit) notes.push(`Circuit states unavailable: ${unavailable.circuit}`);
  const key = JSON.stringify([width, miners.map((m) => [m.uid, m.hotkey, m.slots, m.in_flight, m.circuit])]);
  update(el, [
    [
      'notes',
      null,
      () =>
        notes.length > 0
          ? h(
              'div',
              {},
              notes.map((t) => h('p', { class: 'note' }, t)),
            )
          : null,
    ],
    ['chart', key, () => h('div', { class: 'vscroll', 'data-scroll': 'slots' }, chart(miners, width))],
  ]);
}

function chart(miners, panelWidth) {
  const rowH = miners.length <= 24 ? 24 : miners.length <= 64 ? 18 : 14;
  const width = Math.max(420, panelWidth);
  const barW = width - LABEL_W - TEXT_W;
  const max = Math.max(1, ...miners.map((m) => Math.max(m.slots.effective, m.in_flight ?? 0)));
  const svg = s(
    'svg',
    { width, height: miners.length * rowH, class: 'slots', role: 'img' },
    tip(`Slots and tasks in flight of ${miners.length} miners`),
  );

  miners.forEach((m, i) => {
    const y = i * rowH;
    const barH = Math.max(6, rowH - 10);
    const f = flags(m);
    const open = m.circuit && m.circuit.state !== 'closed';
    const inFlight = m.in_flight;
    const g = s('g', { class: 'row', transform: `translate(0,${y})`, 'data-hotkey': m.hotkey });
    g.append(
      s('rect', { class: 'row-bg', width, height: rowH }),
      s('text', { x: 34, y: rowH / 2 + 4, class: 'uid', 'text-anchor': 'end' }, String(m.uid)),
      s('text', { x: 42, y: rowH / 2 + 4, class: 'hotkey' }, fit(shortKey(m.hotkey, 6), LABEL_W - 48), tip(m.hotkey)),
    );
    const bar = s('g', {
      class: `slot-bar${open ? ' open' : ''}`,
      transform: `translate(${LABEL_W},${(rowH - barH) / 2})`,
      'data-uid': m.uid,
    });
    bar.append(
      tip(
        `uid ${m.uid} · ${m.hotkey}`,
        `slots ${m.slots.effective}${m.slots.pinned !== null ? ' (pinned)' : ''}`,
        `in flight ${inFlight === null ? 'unknown' : inFlight}`,
        ...f,
      ),
      s('rect', { class: 'track', width: (m.slots.effective / max) * barW, height: barH, rx: 2 }),
    );
    if (inFlight)
      bar.append(
        s('rect', { class: `fill${inFlight > m.slots.effective ? ' over' : ''}`, width: (inFlight / max) * barW, height: barH, rx: 2 }),
      );
    g.append(bar);
    const label = `${inFlight === null ? '?' : int(inFlight)} / ${int(m.slots.effective)}`;
    g.append(
      s(
        'text',
        { x: width - TEXT_W + 10, y: rowH / 2 + 4, class: 'axis' },
        label,
        f.length > 0 ? s('tspan', { class: open ? 'flag bad' : 'flag' }, `  ${f.join(', ')}`) : null,
      ),
    );
    svg.append(g);
  });
  return svg;
}
