import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono, MiddlewareHandler } from 'hono';
import { QUEUE_VIEW_REFRESH_MS } from '../../config/constants.ts';
import { getSamplingListSummaries } from '../../db/tables/sampling-lists.ts';
import { knownQueues } from '../../pool/paused-tasks.ts';
import type { AdminContext } from './admin-context.ts';
import type { AdminDeps } from './admin-deps.ts';

/** Where the queue view is mounted. */
export const QUEUE_VIEW_PATH = '/admin/queues';

/**
 * Keeps the board's queues in step with the pool: every env queue the pool registered plus every
 * env with a sampling list. Looked up on the view's own requests, at most every
 * `QUEUE_VIEW_REFRESH_MS` (no timer to stop); concurrent requests share one lookup. A failed
 * lookup is logged and the queues already shown stay.
 */
class BoardQueues {
  readonly #shown = new Set<string>();
  #checkedAt = Number.NEGATIVE_INFINITY;
  #running: Promise<void> | undefined;

  constructor(
    private readonly ctx: AdminContext,
    private readonly deps: AdminDeps,
    private readonly board: ReturnType<typeof createBullBoard>,
  ) {}

  refresh(): Promise<void> {
    if (this.ctx.now() - this.#checkedAt < QUEUE_VIEW_REFRESH_MS) return Promise.resolve();
    this.#running ??= this.#lookUp().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #lookUp(): Promise<void> {
    try {
      const [registered, lists] = await Promise.all([knownQueues(this.deps.redis, this.ctx.prefix), getSamplingListSummaries(this.ctx.db)]);
      for (const env of [...new Set([...registered, ...lists.map((l) => l.env_id)])].sort()) {
        if (this.#shown.has(env)) continue;
        // Read-only: retrying a paused job from the board would put it back without the
        // scheduler's slot fence (see pool/fenced-create.ts); bull-board then refuses writes.
        this.board.addQueue(new BullMQAdapter(this.deps.queues.get(env), { readOnlyMode: true, description: `tasks of ${env}` }));
        this.#shown.add(env);
      }
      this.#checkedAt = this.ctx.now();
    } catch (error) {
      this.ctx.logger.warn({ err: error }, 'queue view: could not look up the env queues; showing those known');
    }
  }
}

/** Only reads pass: the board's write routes would bypass the scheduler. */
const readOnly: MiddlewareHandler = async (c, next) => {
  if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
  return c.json(
    {
      error: 'read_only',
      detail: "the queue view is read-only: changing jobs here would bypass the scheduler's slot fence; use /v1/admin or the evalpool CLI",
    },
    405,
    { Allow: 'GET, HEAD' },
  );
};

/**
 * BullMQ's queue view (bull-board) at `/admin/queues`, read-only, behind `auth` (the admin token
 * as a bearer header or a session cookie). Without Redis deps in this process it answers 503.
 */
export function mountQueueView(app: Hono, ctx: AdminContext, auth: MiddlewareHandler): void {
  const pattern = `${QUEUE_VIEW_PATH}/*`;
  app.use(pattern, auth, readOnly);
  const deps = ctx.deps;
  if (!deps) {
    app.get(pattern, (c) => c.json({ error: 'unavailable', detail: 'this process has no Redis connection for the queue view' }, 503));
    return;
  }
  const adapter = new HonoAdapter(serveStatic).setBasePath(QUEUE_VIEW_PATH);
  const board = createBullBoard({ queues: [], serverAdapter: adapter, options: { uiConfig: { boardTitle: 'evalpool queues' } } });
  const queues = new BoardQueues(ctx, deps, board);
  app.use(pattern, async (c, next) => {
    if (!c.req.path.startsWith(`${QUEUE_VIEW_PATH}/static/`)) await queues.refresh();
    return next();
  });
  // The page's own links end in a slash; the board's entry route does not.
  app.get(`${QUEUE_VIEW_PATH}/`, (c) => c.redirect(QUEUE_VIEW_PATH, 301));
  app.route(QUEUE_VIEW_PATH, adapter.registerPlugin());
}
