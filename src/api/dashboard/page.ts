/** What the page shell needs to know. */
export interface DashboardPageOptions {
  /** URL prefix of the hashed assets, e.g. `/dashboard/3f2a9c1b7d40`. */
  readonly assetBase: string;
  /** Default refresh period of the data, in ms (the page URL's `?refresh=<s>` overrides it). */
  readonly refreshMs: number;
}

/** One panel of the page: a heading and a body the script fills. */
interface Panel {
  readonly id: string;
  readonly title: string;
  readonly hint: string;
  readonly wide?: boolean;
}

const PANELS: readonly Panel[] = [
  { id: 'health', title: 'Health', hint: 'Postgres, Redis, the scheduler leader and the latest weights.', wide: true },
  {
    id: 'workers',
    title: 'Workers',
    hint: 'Each worker process (and serve’s inline workers) from its heartbeat: live, stale (a beat missed) or gone (killed or stopped). Scored = success + failure; errors = attempts not scored.',
    wide: true,
  },
  {
    id: 'coverage',
    title: 'Pool: coverage by miner × environment',
    hint: "Each cell is the miner's share of the environment's current sampling list that has a result (latest scoring pass). Bars: tasks in the pool per miner and per environment.",
    wide: true,
  },
  { id: 'weights', title: 'Latest weights', hint: 'What validators set on chain: the float weight and its u16 value, by uid.' },
  {
    id: 'slots',
    title: 'Slots and in flight per miner',
    hint: 'The bar is the miner’s slots; the fill is its tasks in flight (pending + assigned).',
  },
  {
    id: 'scores',
    title: 'Scores',
    hint: 'The latest scoring pass: eligibility, points from subsets won, weight, the ε-Pareto frontier; per environment the success rate and n.',
    wide: true,
  },
  {
    id: 'miner',
    title: 'Miner detail: why its score is what it is',
    hint: 'Its outcome in the latest scoring pass explained (coverage, or who it must beat in each environment), the last error of each class with its time and whole message, and the latest finished attempts (from /v1/miners/{uid}). Click a uid in the score table, or choose a miner.',
    wide: true,
  },
  { id: 'rotation', title: 'Rotation timeline', hint: 'Per environment: the last and the next rotation of its sampling list.', wide: true },
];

// Every string below is a constant of this file: nothing from a request or the database is
// written into the HTML (the script renders data with DOM APIs), so there is nothing to escape.
function panel(p: Panel): string {
  return `    <section class="panel${p.wide ? ' wide' : ''}" id="${p.id}" aria-labelledby="${p.id}-title">
      <h2 id="${p.id}-title">${p.title}</h2>
      <p class="hint">${p.hint}</p>
      <div class="panel-body" data-panel="${p.id}" aria-live="off"><p class="empty">Loading…</p></div>
    </section>`;
}

/**
 * The HTML shell of the dashboard: headings and empty panels, one stylesheet and one ES module
 * from `assetBase`. The script fetches the JSON API and draws everything; nothing external loads,
 * so a `default-src 'self'` content security policy holds.
 */
export function dashboardPage(options: DashboardPageOptions): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>evalpool dashboard</title>
    <link rel="icon" href="${options.assetBase}/favicon.svg" type="image/svg+xml">
    <link rel="stylesheet" href="${options.assetBase}/dashboard.css">
    <script type="module" src="${options.assetBase}/dashboard.js"></script>
  </head>
  <body data-refresh-ms="${options.refreshMs}">
    <header class="top">
      <h1>evalpool <span class="sub">evaluation pool</span></h1>
      <p class="live" id="live">Loading…</p>
    </header>
    <div id="banners"></div>
    <main class="grid">
${PANELS.map(panel).join('\n')}
    </main>
    <footer class="foot">
      <p>Data from the JSON API: <code>/v1/status</code>, <code>/v1/miners</code>, <code>/v1/environments</code>,
        <code>/v1/tasks/stats</code>, <code>/v1/workers</code>, <code>/v1/miners/{uid}</code>, <code>/v1/scores/latest</code>, <code>/v1/weights/latest</code>, <code>/health</code>.</p>
    </footer>
    <noscript><p class="banner warn">This page draws its charts with JavaScript; the JSON API above has the same data.</p></noscript>
  </body>
</html>
`;
}
