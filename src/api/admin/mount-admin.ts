import { Hono } from 'hono';
import { ADMIN_ACTION_TIMEOUT_MS } from '../../config/constants.ts';
import type { ApiDeps } from '../api-deps.ts';
import { absent, requireAdmin } from './admin-auth.ts';
import type { AdminContext } from './admin-context.ts';
import { AdminToken } from './admin-token.ts';
import { registerPausedTasksRoutes } from './paused-tasks-routes.ts';
import { mountQueueView, QUEUE_VIEW_PATH } from './queue-view.ts';
import { registerRotationRoutes } from './rotation-routes.ts';
import { registerSchedulingRoutes } from './scheduling-routes.ts';
import { registerSessionRoutes } from './session-routes.ts';
import { registerSlotsRoutes } from './slots-routes.ts';

/** Where the admin API is mounted. */
const ADMIN_API_PATH = '/v1/admin';

/**
 * The admin API (`/v1/admin/*`) and the queue view (`/admin/queues`). Without
 * `EVALPOOL_ADMIN_TOKEN` both answer 404 as if they did not exist; with it, every route wants
 * the token (compared in constant time) and answers 401 with `WWW-Authenticate: Bearer`
 * otherwise. Every action is logged with what it changed and the caller's IP.
 */
export function mountAdmin(app: Hono, deps: ApiDeps): void {
  const configured = deps.config.server.adminToken;
  if (configured === undefined) {
    app.all(`${ADMIN_API_PATH}/*`, absent);
    app.all(`${QUEUE_VIEW_PATH}/*`, absent);
    return;
  }
  const ctx: AdminContext = {
    db: deps.db,
    deps: deps.admin,
    token: new AdminToken(configured),
    logger: deps.logger.child({ component: 'admin' }),
    now: deps.now ?? Date.now,
    trustProxy: deps.config.server.trustProxy,
    prefix: deps.config.storage.queuePrefix,
    actionTimeoutMs: ADMIN_ACTION_TIMEOUT_MS,
  };
  const admin = new Hono();
  // Before the bearer check: a browser's login form sends the token in the body.
  registerSessionRoutes(admin, ctx);
  admin.use('*', requireAdmin(ctx, { session: false }));
  registerPausedTasksRoutes(admin, ctx);
  registerRotationRoutes(admin, ctx);
  registerSlotsRoutes(admin, ctx);
  registerSchedulingRoutes(admin, ctx);
  app.route(ADMIN_API_PATH, admin);
  mountQueueView(app, ctx, requireAdmin(ctx, { session: true }));
}
