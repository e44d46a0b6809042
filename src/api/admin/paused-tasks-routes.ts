import type { Hono } from 'hono';
import type { Redis } from 'ioredis';
import * as v from 'valibot';
import { ADMIN_PAUSED_LIST_DEFAULT, ADMIN_PAUSED_LIST_MAX } from '../../config/constants.ts';
import { isKnownHotkey } from '../../db/tables/miners.ts';
import { deletePausedTasks, findPausedTasks, type PausedFilter, type PausedTask, unknownEnvProblem } from '../../pool/paused-tasks.ts';
import { errorMessage } from '../../runtime/error-message.ts';
import { ApiError } from '../api-error.ts';
import { type AdminContext, audit, redisDeps, withinDeadline } from './admin-context.ts';
import { booleanQuery, envInput, hotkeyInput, integerQuery, parseQuery } from './admin-input.ts';

/** Ten years: more than any TTL. */
const OLDER_THAN_MAX_SECONDS = 315_360_000;

const filterEntries = {
  hotkey: v.optional(hotkeyInput),
  env: v.optional(envInput),
  older_than_seconds: v.optional(integerQuery('older_than_seconds', 0, OLDER_THAN_MAX_SECONDS)),
};
const ListQuery = v.strictObject({ ...filterEntries, limit: v.optional(integerQuery('limit', 1, ADMIN_PAUSED_LIST_MAX)) });
const DeleteQuery = v.strictObject({ ...filterEntries, dry_run: v.optional(booleanQuery('dry_run')) });

function filterOf(q: { hotkey?: string | undefined; env?: string | undefined; older_than_seconds?: number | undefined }): PausedFilter {
  return {
    ...(q.hotkey !== undefined ? { hotkey: q.hotkey } : {}),
    ...(q.env !== undefined ? { env: q.env } : {}),
    ...(q.older_than_seconds !== undefined ? { olderThanMs: q.older_than_seconds * 1_000 } : {}),
  };
}

/** The filter as the answer and the log echo it (snake case, only what was given). */
const filterView = (f: PausedFilter) => ({
  ...(f.hotkey !== undefined ? { hotkey: f.hotkey } : {}),
  ...(f.env !== undefined ? { env: f.env } : {}),
  ...(f.olderThanMs !== undefined ? { older_than_seconds: f.olderThanMs / 1_000 } : {}),
});

/** A filter that names nothing (an env without a queue, a hotkey never seen) is a 404, not "0 matched". */
async function checkFilter(ctx: AdminContext, redis: Redis, filter: PausedFilter): Promise<void> {
  const envProblem = await withinDeadline(ctx, 'checking the env', unknownEnvProblem(redis, ctx.prefix, filter.env));
  if (envProblem !== undefined) throw new ApiError(404, 'not_found', envProblem);
  if (filter.hotkey !== undefined && (await knownHotkey(ctx, filter.hotkey)) === false) {
    throw new ApiError(404, 'not_found', `unknown hotkey ${filter.hotkey}: the scheduler has never seen it`);
  }
}

/**
 * Whether the scheduler has seen `hotkey`; undefined when Postgres cannot say. Paused tasks live
 * in Redis: an outage of Postgres must not stop an operator from listing or clearing them, so the
 * check is skipped then (a mistyped hotkey matches nothing), with a warning.
 */
async function knownHotkey(ctx: AdminContext, hotkey: string): Promise<boolean | undefined> {
  try {
    return await withinDeadline(ctx, 'checking the hotkey', isKnownHotkey(ctx.db, hotkey));
  } catch (error) {
    ctx.logger.warn(
      { hotkey, err: errorMessage(error) },
      'admin: could not check the hotkey in Postgres; filtering paused tasks by it unchecked',
    );
    return undefined;
  }
}

const countByEnv = (tasks: readonly PausedTask[]) => {
  const counts: Record<string, number> = {};
  for (const t of tasks) counts[t.env] = (counts[t.env] ?? 0) + 1;
  return counts;
};

/**
 * `GET /v1/admin/paused-tasks` lists paused tasks (failed after their attempts), oldest first,
 * filtered by `hotkey`, `env` and `older_than_seconds`; `DELETE` with the same filter deletes
 * them (`dry_run=true` only counts). Deleted tasks are created again by the scheduler's next
 * top-up if they are still wanted; an env or hotkey that names nothing is 404. The same functions
 * as `evalpool tasks paused list|delete`.
 */
export function registerPausedTasksRoutes(admin: Hono, ctx: AdminContext): void {
  admin.get('/paused-tasks', async (c) => {
    const query = parseQuery(c, ListQuery);
    const filter = filterOf(query);
    const { redis } = redisDeps(ctx);
    await checkFilter(ctx, redis, filter);
    const now = ctx.now();
    const found = await withinDeadline(ctx, 'listing paused tasks', findPausedTasks(redis, ctx.prefix, filter, now));
    const limit = query.limit ?? ADMIN_PAUSED_LIST_DEFAULT;
    return c.json({
      filter: filterView(filter),
      count: found.length,
      truncated: found.length > limit,
      by_env: countByEnv(found),
      tasks: found.slice(0, limit).map((t) => ({
        env: t.env,
        hotkey: t.hotkey,
        revision: t.revision,
        task_id: t.taskId,
        paused_at: new Date(t.pausedAt).toISOString(),
        age_seconds: Math.max(0, Math.floor((now - t.pausedAt) / 1_000)),
        reason: t.reason,
      })),
    });
  });

  admin.delete('/paused-tasks', async (c) => {
    const query = parseQuery(c, DeleteQuery);
    const filter = filterOf(query);
    const dryRun = query.dry_run ?? false;
    const { redis, queues } = redisDeps(ctx);
    await checkFilter(ctx, redis, filter);
    const found = await withinDeadline(ctx, 'listing paused tasks', findPausedTasks(redis, ctx.prefix, filter, ctx.now()));
    const deleted = dryRun || found.length === 0 ? 0 : await withinDeadline(ctx, 'deleting paused tasks', deletePausedTasks(queues, found));
    const answer = { filter: filterView(filter), dry_run: dryRun, matched: found.length, deleted, by_env: countByEnv(found) };
    if (!dryRun) audit(ctx, c, 'paused_tasks.delete', answer, `deleted ${deleted} paused task${deleted === 1 ? '' : 's'}`);
    return c.json(answer);
  });
}
