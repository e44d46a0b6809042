// Banners above the panels: the server unreachable, a dependency down, no (new) weights.
import { h, swap } from './dom.js';

function banner(tone, title, text) {
  return h(
    'div',
    { class: `banner ${tone}`, role: tone === 'bad' ? 'alert' : 'status' },
    h('strong', {}, title),
    text ? h('span', {}, ` ${text}`) : null,
  );
}

/** Draws the banners for one refresh into `el`. */
export function renderBanners(el, model, refreshMs) {
  const r = model.results;
  const out = [];
  if (Object.values(r).every((x) => x.status === 0)) {
    out.push(
      banner(
        'bad',
        'The evalpool API does not answer.',
        `Retrying every ${Math.round(refreshMs / 1000)} s; the panels show the last data received.`,
      ),
    );
  } else {
    const down = ['database', 'redis'].filter((k) => model.health && !model.health[k]?.ok);
    if (down.length > 0)
      out.push(
        banner(
          'bad',
          `${down.map((k) => (k === 'database' ? 'Postgres' : 'Redis')).join(' and ')} not answering.`,
          down.map((k) => model.health[k].error).join('; '),
        ),
      );
    const why = model.status?.why_no_weights;
    if (why)
      out.push(banner('warn', model.status.weights ? 'The last scoring pass published no new weights.' : 'No weights published yet.', why));
    // Conditions the server says need an operator (miner discovery failing, e.g. an unusable
    // miners file; waiting tasks that no live worker consumes).
    for (const warning of model.status?.warnings ?? []) out.push(banner('bad', 'Action needed:', warning));
  }
  swap(el, out);
}
