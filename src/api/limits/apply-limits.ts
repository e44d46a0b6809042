import type { Hono } from 'hono';
import { RATE_LIMIT_MAX_KEYS, RATE_LIMIT_WINDOW_MS } from '../../config/constants.ts';
import type { Config } from '../../config/schema.ts';
import { limitBodies } from './body-limit.ts';
import { limitRate } from './rate-limit.ts';
import { readApiCors } from './read-cors.ts';

/**
 * The limits every route gets, in this order: CORS on the read API when
 * `EVALPOOL_CORS_ORIGINS` is set (first, so that a 429 still reaches a cross-origin page),
 * the per-IP rate limit unless `EVALPOOL_RATE_LIMIT_PER_MINUTE` is 0, then the body size limit.
 * Must be applied before any route is registered.
 */
export function applyLimits(app: Hono, server: Config['server'], now: () => number): void {
  if (server.corsOrigins.length > 0) app.use('*', readApiCors(server.corsOrigins));
  if (server.rateLimitPerMinute > 0) {
    app.use(
      '*',
      limitRate({
        limit: server.rateLimitPerMinute,
        windowMs: RATE_LIMIT_WINDOW_MS,
        maxKeys: RATE_LIMIT_MAX_KEYS,
        trustProxy: server.trustProxy,
        now,
      }),
    );
  }
  app.use('*', limitBodies(server.bodyLimitBytes));
}
