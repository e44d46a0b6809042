import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MetricsScraper } from '../../../src/api/metrics/metrics-scraper.ts';
import { createMetrics, type EvalpoolMetrics, type MetricsSource, Registry } from '../../../src/runtime/metrics.ts';
import { parsePrometheusText, samplesOf, valueOf } from '../../helpers/prometheus-text.ts';
import { capturingLogger } from '../../helpers/test-logger.ts';

/** A source that sets `evalpool_miner_slots{hotkey="hk"}`, and fails or hangs on demand. */
function fakeSource(metrics: EvalpoolMetrics, name: string) {
  const state = { mode: 'ok' as 'ok' | 'fail' | 'hang', slots: 3 };
  const source: MetricsSource = {
    name,
    refresh() {
      if (state.mode === 'fail') return Promise.reject(new Error(`${name} is down`));
      if (state.mode === 'hang') return new Promise(() => undefined);
      metrics.minerSlots.set({ hotkey: `hk-${name}` }, state.slots);
      return Promise.resolve();
    },
    clear: () => metrics.minerSlots.remove({ hotkey: `hk-${name}` }),
  };
  return { source, state };
}

describe('the metrics scraper', () => {
  test('a failing source leaves only its own series out, is counted at every scrape and logged once', async () => {
    const metrics = createMetrics(new Registry(), { processMetrics: false });
    const a = fakeSource(metrics, 'a');
    const b = fakeSource(metrics, 'b');
    const { logger, lines } = capturingLogger('info');
    const scraper = new MetricsScraper({ metrics, sources: [a.source, b.source], logger });
    assert.match(scraper.contentType, /^text\/plain; version=0\.0\.4/);

    let families = parsePrometheusText(await scraper.scrape());
    assert.equal(valueOf(families, 'evalpool_scrape_errors_total', { source: 'a' }), 0, 'present at 0 before any error');
    assert.equal(valueOf(families, 'evalpool_miner_slots', { hotkey: 'hk-a' }), 3);

    a.state.mode = 'fail';
    await scraper.scrape();
    families = parsePrometheusText(await scraper.scrape());
    assert.equal(valueOf(families, 'evalpool_scrape_errors_total', { source: 'a' }), 2);
    assert.equal(valueOf(families, 'evalpool_scrape_errors_total', { source: 'b' }), 0);
    assert.deepEqual(
      samplesOf(families, 'evalpool_miner_slots').map((s) => s.labels.hotkey),
      ['hk-b'],
      'no stale value of the failed source',
    );
    assert.equal(lines.filter((l) => l.msg === 'metrics source failed: its series are left out until it answers again').length, 1);

    a.state.mode = 'ok';
    a.state.slots = 5;
    families = parsePrometheusText(await scraper.scrape());
    assert.equal(valueOf(families, 'evalpool_miner_slots', { hotkey: 'hk-a' }), 5);
    assert.equal(lines.filter((l) => l.msg === 'metrics source answers again' && l.source === 'a').length, 1);
  });

  test('a source that does not answer in time is counted as an error; the scrape still answers', async () => {
    const metrics = createMetrics(new Registry(), { processMetrics: false });
    const slow = fakeSource(metrics, 'slow');
    slow.state.mode = 'hang';
    const scraper = new MetricsScraper({ metrics, sources: [slow.source], logger: capturingLogger().logger, sourceTimeoutMs: 50 });
    const families = parsePrometheusText(await scraper.scrape());
    assert.equal(valueOf(families, 'evalpool_scrape_errors_total', { source: 'slow' }), 1);
    assert.equal(samplesOf(families, 'evalpool_miner_slots').length, 0);
  });

  test('scrape-time gauges without labels are absent until set (a worker has no weights)', async () => {
    const metrics = createMetrics(new Registry(), { processMetrics: false });
    const families = parsePrometheusText(await new MetricsScraper({ metrics, logger: capturingLogger().logger }).scrape());
    assert.equal(samplesOf(families, 'evalpool_weights_age_seconds').length, 0);
    assert.equal(samplesOf(families, 'evalpool_weights_last_block').length, 0);
    assert.equal(valueOf(families, 'evalpool_scheduler_leader'), 0);
  });
});
