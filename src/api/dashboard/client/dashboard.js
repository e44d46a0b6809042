// The dashboard's entry point: fetches the JSON API every few seconds while the tab is visible
// and redraws each panel. Plain ES modules, no framework, nothing loaded from elsewhere.
import { fetchAll } from './api.js';
import { renderBanners } from './banners.js';
import { empty, rememberScrolling, swap, widthOf } from './dom.js';
import { renderHealth } from './health-panel.js';
import { renderCoverage } from './heatmap.js';
import { renderMinerDetail, selectedUid } from './miner-detail.js';
import { buildModel } from './model.js';
import { renderRotation } from './rotation-timeline.js';
import { renderScores } from './score-table.js';
import { renderSlots } from './slots-chart.js';
import { renderWeights } from './weights-chart.js';
import { renderWorkers } from './workers-panel.js';

const PANELS = {
  health: renderHealth,
  workers: renderWorkers,
  coverage: renderCoverage,
  weights: renderWeights,
  slots: renderSlots,
  scores: renderScores,
  miner: renderMinerDetail,
  rotation: renderRotation,
};

/** `?refresh=<seconds>` (1 to 3600) beats the server's default. */
function refreshPeriod() {
  const asked = Number(new URLSearchParams(location.search).get('refresh'));
  if (Number.isFinite(asked) && asked >= 1 && asked <= 3600) return asked * 1000;
  const fallback = Number(document.body.dataset.refreshMs);
  return Number.isFinite(fallback) && fallback >= 1000 ? fallback : 5000;
}

const refreshMs = refreshPeriod();
const live = document.getElementById('live');
let timer;
let running = false;
let lastModel;
let refreshes = 0;
let pendingRefresh = false;

function showPaused() {
  live.textContent = 'Paused while the tab is hidden';
  live.className = 'live paused';
}

function draw(model) {
  const started = performance.now();
  // Widths first, while the layout is clean: reading one after a panel changed would force a layout.
  const panels = Object.entries(PANELS).map(([name, render]) => {
    const el = document.querySelector(`[data-panel="${name}"]`);
    return { name, render, el, width: widthOf(el) };
  });
  renderBanners(document.getElementById('banners'), model, refreshMs);
  for (const { name, render, el, width } of panels) {
    try {
      render(el, model, width);
    } catch (error) {
      // One panel's bug must not blank the others; the console keeps the stack.
      console.error(`dashboard: the ${name} panel failed`, error);
      swap(el, empty('This panel could not be drawn.', error instanceof Error ? error.message : String(error)));
    }
  }
  // How long drawing took, for tests and for anyone profiling a large pool.
  document.body.dataset.drawMs = (performance.now() - started).toFixed(1);
}

async function refresh() {
  clearTimeout(timer);
  if (document.visibilityState === 'hidden') return showPaused();
  // A refresh already under way schedules the next one when it ends.
  if (running) return;
  running = true;
  try {
    const uid = selectedUid();
    const results = await fetchAll(Math.max(1000, refreshMs - 500), uid === null ? {} : { miner: `/v1/miners/${uid}` });
    const offline = Object.values(results).every((r) => r.status === 0);
    const model = buildModel(results, uid);
    if (offline && lastModel) renderBanners(document.getElementById('banners'), model, refreshMs);
    else {
      lastModel = model;
      draw(model);
    }
    refreshes += 1;
    document.body.dataset.refreshes = String(refreshes);
    live.textContent = offline
      ? `Offline · retrying every ${refreshMs / 1000} s`
      : `Live · updated ${new Date().toLocaleTimeString()} · every ${refreshMs / 1000} s`;
    live.className = offline ? 'live offline' : 'live';
  } finally {
    running = false;
    if (pendingRefresh) {
      pendingRefresh = false;
      void refresh();
    } else if (document.visibilityState === 'hidden') showPaused();
    else timer = setTimeout(() => void refresh(), refreshMs);
  }
}

rememberScrolling();
document.addEventListener('visibilitychange', () => void refresh());
// A miner chosen (a uid link, the picker): its detail at once, in view.
window.addEventListener('hashchange', () => {
  document.getElementById('miner')?.scrollIntoView({ block: 'start' });
  if (running) pendingRefresh = true;
  else void refresh();
});

let resizeTimer;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => lastModel && draw(lastModel), 150);
});

void refresh();
