import { Hono } from 'hono';
import type { Logger } from '../../runtime/logger.ts';
import { registerMetricsRoute } from './metrics-route.ts';
import type { MetricsScraper } from './metrics-scraper.ts';

/**
 * The HTTP app of a process that serves nothing but its metrics (`evalpool worker
 * --metrics-port`): `GET /metrics`, and a JSON 404 for anything else.
 */
export function createMetricsApp(scraper: MetricsScraper, logger: Logger): Hono {
  const app = new Hono();
  app.onError((error, c) => {
    logger.error({ component: 'metrics', err: error }, 'the metrics endpoint failed');
    return c.json({ error: 'internal_error', detail: 'the metrics could not be rendered; see the logs' }, 500);
  });
  app.notFound((c) =>
    c.json({ error: 'not_found', detail: `no route for ${c.req.method} ${c.req.path}; this endpoint serves GET /metrics` }, 404),
  );
  registerMetricsRoute(app, scraper);
  return app;
}
