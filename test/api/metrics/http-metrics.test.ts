import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import { Hono } from 'hono';
import { Redis } from 'ioredis';
import { createApp } from '../../../src/api/app.ts';
import { httpMetrics, UNMATCHED_ROUTE } from '../../../src/api/metrics/http-metrics.ts';
import { createMetrics, type EvalpoolMetrics, Registry } from '../../../src/runtime/metrics.ts';
import { computeAndPublishWeights } from '../../../src/scheduler/weights-task.ts';
import { parsePrometheusText, samplesOf, valueOf } from '../../helpers/prometheus-text.ts';
import { range, seedList, seedMiner, seedResults } from '../../helpers/seed.ts';
import { testConfig } from '../../helpers/test-config.ts';
import { useTestDatabase } from '../../helpers/test-database.ts';
import { testLogger } from '../../helpers/test-logger.ts';

const database = useTestDatabase();

/** The serve app with metrics; its Redis probe is lazy and never used by these routes. */
function appWithMetrics(): { app: Hono; metrics: EvalpoolMetrics } {
  const config = testConfig();
  const metrics = createMetrics(new Registry(), { processMetrics: false });
  const redisProbe = new Redis(config.storage.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  return { app: createApp({ config, db: database.db, redisProbe, logger: testLogger(), metrics }), metrics };
}

async function scrape(app: Hono) {
  const response = await app.request('/metrics');
  assert.equal(response.status, 200);
  return parsePrometheusText(await response.text());
}

describe('HTTP request metrics', () => {
  before(async () => {
    await seedList(database.db, 'a', range(0, 4));
    await seedMiner(database.db, { uid: 1 });
    await seedResults(database.db, { uid: 1 }, 'a', range(0, 4), () => 1);
    await computeAndPublishWeights({ db: database.db, config: testConfig(), logger: testLogger(), block: () => Promise.resolve(10) });
  });

  test('label requests by route pattern, method and status; unrouted 404s are "unmatched"', async () => {
    const { app } = appWithMetrics();
    for (const path of [
      '/v1/weights/latest',
      '/v1/weights/latest',
      '/v1/weights/10',
      '/v1/weights/11',
      '/v1/weights/12',
      '/v1/weights/x',
      '/nope',
      '/nope/2',
    ])
      await app.request(path);
    await app.request('/v1/weights/latest', { method: 'POST' });
    await app.request('/v1/weights/latest', { method: 'HEAD' });
    const families = await scrape(app);
    const count = (route: string, status: string, method = 'GET') =>
      valueOf(families, 'evalpool_http_requests_total', { method, route, status });
    assert.equal(count('/v1/weights/latest', '200'), 2);
    assert.equal(count('/v1/weights/latest', '200', 'HEAD'), 1);
    assert.equal(count('/v1/weights/:block', '200'), 1);
    assert.equal(count('/v1/weights/:block', '404'), 2);
    assert.equal(count('/v1/weights/:block', '400'), 1);
    assert.equal(count(UNMATCHED_ROUTE, '404'), 2);
    assert.equal(count(UNMATCHED_ROUTE, '404', 'POST'), 1);
    // The duration histogram has the same label sets, and counts the same requests.
    assert.equal(
      valueOf(
        families,
        'evalpool_http_request_duration_seconds',
        { method: 'GET', route: '/v1/weights/:block', status: '404' },
        'evalpool_http_request_duration_seconds_count',
      ),
      2,
    );
  });

  test('route labels stay within the registered patterns whatever the paths (property)', async () => {
    const { app } = appWithMetrics();
    const patterns = new Set([...app.routes.map((r) => r.path), UNMATCHED_ROUTE]);
    const segment = fc.oneof(
      fc.stringMatching(/^[-.0-9a-zA-Z_~%]{0,12}$/),
      fc.constantFrom('latest', '1', '99', 'v1', 'weights', 'miners', 'scores', 'metrics', ''),
    );
    const prefix = fc.constantFrom('/', '/v1/', '/v1/weights/', '/v1/miners/', '/v1/scores/', '/v1/tasks/');
    await fc.assert(
      fc.asyncProperty(
        prefix,
        segment,
        fc.option(segment, { nil: undefined }),
        fc.constantFrom('GET', 'POST', 'DELETE', 'PROPFIND'),
        async (p, a, b, method) => {
          const path = p + a + (b === undefined ? '' : `/${b}`);
          await app.request(path, { method });
        },
      ),
      { numRuns: 150 },
    );
    const families = await scrape(app);
    const routes = new Set(samplesOf(families, 'evalpool_http_requests_total').map((s) => s.labels.route!));
    for (const route of routes) assert.ok(patterns.has(route), `route label ${route} is not a registered pattern`);
    const methods = new Set(samplesOf(families, 'evalpool_http_requests_total').map((s) => s.labels.method!));
    for (const method of methods) assert.ok(['GET', 'POST', 'DELETE', 'OTHER'].includes(method), method);
  });

  test('a middleware that answers early is labelled with its own pattern; an error is a 500 of its route', async () => {
    const metrics = createMetrics(new Registry(), { processMetrics: false });
    const app = new Hono();
    app.use(httpMetrics(metrics));
    app.use('/guarded/*', async (c, next) => (c.req.header('authorization') ? next() : c.json({ error: 'unauthorized' }, 401)));
    app.get('/guarded/:id', (c) => c.text('ok'));
    app.get('/boom/:id', () => {
      throw new Error('boom');
    });
    app.onError((_, c) => c.text('failed', 500));
    await app.request('/guarded/1');
    await app.request('/guarded/2', { headers: { authorization: 'x' } });
    await app.request('/boom/3');
    const families = parsePrometheusText(await metrics.registry.metrics());
    assert.equal(valueOf(families, 'evalpool_http_requests_total', { route: '/guarded/*', status: '401' }), 1);
    assert.equal(valueOf(families, 'evalpool_http_requests_total', { route: '/guarded/:id', status: '200' }), 1);
    assert.equal(valueOf(families, 'evalpool_http_requests_total', { route: '/boom/:id', status: '500' }), 1);
  });

  test('an app without metrics has no /metrics route', async () => {
    const config = testConfig();
    const redisProbe = new Redis(config.storage.redisUrl, { lazyConnect: true });
    const app = createApp({ config, db: database.db, redisProbe, logger: testLogger() });
    assert.equal((await app.request('/metrics')).status, 404);
  });
});
