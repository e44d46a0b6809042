import type { Context } from 'hono';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../../db/schema.ts';
import { DeadlineError, withDeadline } from '../../runtime/deadline.ts';
import { ApiError } from '../api-error.ts';
import { clientIp } from '../limits/client-ip.ts';
import type { AdminDeps } from './admin-deps.ts';
import type { AdminToken } from './admin-token.ts';

/** What every admin route shares. */
export interface AdminContext {
  readonly db: Kysely<Database>;
  /** Redis and queue handles; undefined in a process that has none (see {@link AdminDeps}). */
  readonly deps: AdminDeps | undefined;
  readonly token: AdminToken;
  /** The admin audit log (`component: "admin"`). */
  readonly logger: Logger;
  readonly now: () => number;
  readonly trustProxy: boolean;
  /** `EVALPOOL_QUEUE_PREFIX`: the pool's Redis prefix. */
  readonly prefix: string;
  readonly actionTimeoutMs: number;
}

/** The caller's address as the admin log records it. */
export function callerIp(ctx: AdminContext, c: Context): string {
  return clientIp(c, ctx.trustProxy);
}

/**
 * Records one admin action with what it changed and who asked (the caller's IP; never the token,
 * which only ever travels in a header this module does not log).
 */
export function audit(ctx: AdminContext, c: Context, action: string, changes: Record<string, unknown>, message: string): void {
  ctx.logger.info({ action, ip: callerIp(ctx, c), ...changes }, `admin: ${message}`);
}

/** The Redis-backed deps, or 503 when this process has none. */
export function redisDeps(ctx: AdminContext): AdminDeps {
  if (!ctx.deps)
    throw new ApiError(503, 'unavailable', 'this process has no Redis connection for the admin API (run the action on `evalpool serve`)');
  return ctx.deps;
}

/** Runs an action within the admin deadline; a late one answers 503 (it may still complete). */
export async function withinDeadline<T>(ctx: AdminContext, what: string, action: Promise<T>): Promise<T> {
  // Told apart by identity: the action may itself reject with some other DeadlineError.
  const timedOut = new DeadlineError(`${what}: no answer within ${ctx.actionTimeoutMs} ms`);
  try {
    return await withDeadline(action, ctx.actionTimeoutMs, { timeoutError: () => timedOut });
  } catch (error) {
    if (error === timedOut) {
      ctx.logger.warn({ action: what, timeoutMs: ctx.actionTimeoutMs }, 'admin: an action did not finish in time');
      throw new ApiError(
        503,
        'unavailable',
        `${what} did not finish within ${ctx.actionTimeoutMs} ms (Redis or Postgres is slow); it may still complete: check before retrying`,
      );
    }
    throw error;
  }
}
