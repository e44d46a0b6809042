import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { Database } from '../db/schema.ts';
import { ApiError } from './api-error.ts';
import { checkHealth } from './health.ts';

/** What the API needs; every part is created and closed by the caller. */
export interface ApiDeps {
  readonly config: Config;
  readonly db: Kysely<Database>;
  /** A fail-fast connection used for probes (see `createRedis(..., 'probe')`). */
  readonly redisProbe: Redis;
  readonly logger: Logger;
}

/** The Hono app of `evalpool serve`. Tests call `app.request()` on it directly. */
export function createApp(deps: ApiDeps): Hono {
  const app = new Hono();
  const logger = deps.logger.child({ component: 'api' });

  app.onError((error, c) => {
    if (error instanceof ApiError) return c.json(error.body(), error.status);
    logger.error({ err: error, path: c.req.path }, 'unhandled error in a route');
    return c.json({ error: 'internal_error', detail: 'the server failed to answer this request; see its logs' }, 500);
  });
  app.notFound((c) => c.json({ error: 'not_found', detail: `no route for ${c.req.method} ${c.req.path}` }, 404));

  app.get('/health', async (c) => {
    const report = await checkHealth(deps.db, deps.redisProbe, deps.config.server.healthTimeoutMs);
    return c.json(report, report.status === 'ok' ? 200 : 503);
  });

  return app;
}
