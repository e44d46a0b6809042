import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { EvalpoolMetrics } from '../../runtime/metrics.ts';

/** The `route` label of requests that matched no route (404s answered by `notFound`). */
export const UNMATCHED_ROUTE = 'unmatched';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Counts and times every request by method, route pattern and status
 * (`evalpool_http_requests_total`, `evalpool_http_request_duration_seconds`). Register it first,
 * so that it also times the other middleware and sees the responses they answer themselves.
 *
 * The `route` label is the registered pattern of the handler that answered (`/v1/weights/:block`,
 * or a middleware's own pattern such as `*` when it answered early, e.g. with 429), never the raw
 * path, so its values are bounded by the app's routes. A 404 answered by no route, or by a
 * middleware that hides what it guards, is `unmatched`. Unusual methods are labelled `OTHER`.
 * Cost: one counter increment and one histogram observation per request.
 */
export function httpMetrics(metrics: EvalpoolMetrics): MiddlewareHandler {
  const { httpRequests, httpRequestDuration } = metrics;
  return async (c, next) => {
    const started = performance.now();
    await next();
    // The last handler dispatched is the one that answered (a route, or a middleware that did not
    // call next); after a bare `next()` to Hono's notFound, it is a middleware (method ALL).
    const answered = matchedRoutes(c)[c.req.routeIndex];
    const status = c.res.status;
    const labels = {
      method: METHODS.has(c.req.method) ? c.req.method : 'OTHER',
      route: answered === undefined || (answered.method === 'ALL' && status === 404) ? UNMATCHED_ROUTE : answered.path,
      status: String(status),
    };
    httpRequests.inc(labels);
    httpRequestDuration.observe(labels, (performance.now() - started) / 1_000);
  };
}
