import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMetrics, Registry } from '../../src/runtime/metrics.ts';
import { parsePrometheusText, valueOf } from './prometheus-text.ts';

describe('the strict Prometheus text parser (test helper)', () => {
  test('parses HELP, TYPE, labels with escapes, special values and histograms', () => {
    const families = parsePrometheusText(
      [
        '# HELP a_total Things\\ncounted.',
        '# TYPE a_total counter',
        'a_total{x="q\\"uote",y="back\\\\slash"} 3',
        '# TYPE g gauge',
        'g NaN',
        'g{k="v"} -Inf 1700000000000',
        '# TYPE h histogram',
        'h_bucket{le="0.5"} 1',
        'h_bucket{le="+Inf"} 2',
        'h_sum 1.5e0',
        'h_count 2',
        '',
      ].join('\n'),
    );
    assert.equal(families.get('a_total')?.help, 'Things\ncounted.');
    assert.equal(valueOf(families, 'a_total', { x: 'q"uote', y: 'back\\slash' }), 3);
    assert.deepEqual(
      families.get('g')?.samples.map((x) => x.value),
      [Number.NaN, Number.NEGATIVE_INFINITY],
    );
    assert.equal(valueOf(families, 'h', {}, 'h_count'), 2);
  });

  const refused: [string, string][] = [
    ['no final newline', '# TYPE a gauge\na 1'],
    ['a bad metric name', '1a 1\n'],
    ['an unquoted label value', 'a{x=1} 1\n'],
    ['a bad escape', 'a{x="\\t"} 1\n'],
    ['a bad value', 'a 1,5\n'],
    ['a duplicate series', 'a{x="1"} 1\na{x="1"} 2\n'],
    ['TYPE after samples', 'a 1\n# TYPE a gauge\n'],
    ['two TYPEs', '# TYPE a gauge\n# TYPE a counter\n'],
    ['an unknown type', '# TYPE a meter\n'],
    ['a family split in two', '# TYPE a gauge\na{x="1"} 1\n# TYPE b gauge\nb 1\na{x="2"} 1\n'],
    ['a histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
    ['non-cumulative buckets', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'],
    ['+Inf different from count', '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 1\n'],
    ['a reserved label', 'a{__name__="x"} 1\n'],
  ];
  for (const [what, text] of refused) {
    test(`refuses ${what}`, () => {
      assert.throws(() => parsePrometheusText(text));
    });
  }

  test("accepts prom-client's own output for every evalpool instrument", async () => {
    const metrics = createMetrics(new Registry());
    metrics.httpRequests.inc({ method: 'GET', route: '/v1/weights/:block', status: '200' });
    metrics.episodeDuration.observe({ env: 'noop/x', error_class: 'success' }, 0.2);
    metrics.tasks.set({ env: 'e"v\\n', state: 'pending' }, 2);
    const families = parsePrometheusText(await metrics.registry.metrics());
    assert.equal(valueOf(families, 'evalpool_tasks', { env: 'e"v\\n' }), 2);
    assert.equal(families.get('evalpool_episode_duration_seconds')?.type, 'histogram');
    assert.ok(families.has('process_cpu_user_seconds_total'));
  });
});
