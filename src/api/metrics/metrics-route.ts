import type { Hono } from 'hono';
import type { MetricsScraper } from './metrics-scraper.ts';

/**
 * `GET /metrics`: the Prometheus text of this process. Always 200 while the process runs: a
 * failed source (Redis or Postgres down) only leaves its own series out (see
 * {@link MetricsScraper}).
 */
export function registerMetricsRoute(app: Hono, scraper: MetricsScraper): void {
  app.get('/metrics', async (c) => {
    const text = await scraper.scrape();
    return c.body(text, 200, { 'content-type': scraper.contentType, 'cache-control': 'no-store' });
  });
}
