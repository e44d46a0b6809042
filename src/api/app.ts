import { Hono } from 'hono';
import type { StatusCode } from 'hono/utils/http-status';
import { unavailableDependency } from '../runtime/unavailable-dependency.ts';
import { mountAdmin } from './admin/mount-admin.ts';
import type { ApiDeps } from './api-deps.ts';
import { ApiError, CLIENT_CLOSED_REQUEST, dependencyUnavailable } from './api-error.ts';
import { registerDashboard } from './dashboard/register-dashboard.ts';
import { checkHealth } from './health.ts';
import { applyLimits } from './limits/apply-limits.ts';
import { httpMetrics } from './metrics/http-metrics.ts';
import { registerMetricsRoute } from './metrics/metrics-route.ts';
import { MetricsScraper } from './metrics/metrics-scraper.ts';
import { registerEnvironmentsRoutes } from './routes/environments.ts';
import { registerMinersRoutes } from './routes/miners.ts';
import { registerScoresRoutes } from './routes/scores.ts';
import { registerStatusRoutes } from './routes/status.ts';
import { registerTasksRoutes } from './routes/tasks.ts';
import { registerWeightsRoutes } from './routes/weights.ts';
import { registerWorkersRoutes } from './routes/workers.ts';

export type { ApiDeps } from './api-deps.ts';

/** The Hono app of `evalpool serve`. Tests call `app.request()` on it directly. */
export function createApp(deps: ApiDeps): Hono {
  const app = new Hono();
  const logger = deps.logger.child({ component: 'api' });
  // First, so that it times everything after it, and sees the answers of other middleware too.
  if (deps.metrics) app.use(httpMetrics(deps.metrics));

  // The one mapping of errors to answers: routes throw, never catch to answer.
  app.onError((error, c) => {
    if (error instanceof ApiError) return c.json(error.body(), error.status);
    // The client went away (closed the socket mid-body, gave up waiting): nobody reads the answer,
    // and it is no server error.
    if (c.req.raw.signal.aborted) {
      logger.debug({ path: c.req.path, err: error.message }, 'the client aborted its request');
      return c.body(null, CLIENT_CLOSED_REQUEST as StatusCode);
    }
    const dependency = unavailableDependency(error);
    if (dependency) {
      logger.warn({ path: c.req.path, dependency, err: error.message }, 'a dependency did not answer a request');
      const answer = dependencyUnavailable(dependency);
      return c.json(answer.body(), answer.status);
    }
    logger.error({ err: error, path: c.req.path }, 'unhandled error in a route');
    return c.json({ error: 'internal_error', detail: 'the server failed to answer this request; see its logs' }, 500);
  });
  app.notFound((c) => c.json({ error: 'not_found', detail: `no route for ${c.req.method} ${c.req.path}` }, 404));
  // CORS (read API only, when configured), per-IP rate limit, body size limit: before any route.
  applyLimits(app, deps.config.server, deps.now ?? Date.now);

  app.get('/health', async (c) => {
    const report = await checkHealth(deps.db, deps.redisProbe, deps.config.server.healthTimeoutMs);
    return c.json(report, report.status === 'ok' ? 200 : 503);
  });

  // The read API: one module per resource. `/latest` routes are registered before `/{param}` ones.
  registerWeightsRoutes(app, deps);
  registerScoresRoutes(app, deps);
  registerStatusRoutes(app, deps);
  registerMinersRoutes(app, deps);
  registerEnvironmentsRoutes(app, deps);
  registerTasksRoutes(app, deps);
  registerWorkersRoutes(app, deps);
  // `/v1/admin/*` and the queue view at `/admin/queues` (404 unless EVALPOOL_ADMIN_TOKEN is set).
  mountAdmin(app, deps);
  registerDashboard(app);
  if (deps.metrics)
    registerMetricsRoute(app, new MetricsScraper({ metrics: deps.metrics, sources: deps.metricsSources ?? [], logger: deps.logger }));

  return app;
}
