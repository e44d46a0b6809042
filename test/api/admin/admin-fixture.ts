import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AdminDeps } from '../../../src/api/admin/admin-deps.ts';
import type { Config } from '../../../src/config/schema.ts';
import type { Database } from '../../../src/db/schema.ts';
import { sharedPoolStats } from '../../../src/pool/shared-pool-stats.ts';
import { TaskQueues } from '../../../src/pool/task-queues.ts';
import { apiReaders } from '../../../src/service/api-readers.ts';
import { testApp } from '../../helpers/test-app.ts';
import type { TestRedis } from '../../helpers/test-redis.ts';

/** The admin token of these tests (the tests also check that it is never logged). */
export const ADMIN_TOKEN = 'admin-test-token-5f2b9c0e7d1a4c33';
export const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` } as const;
export const JSON_AUTH = { ...AUTH, 'content-type': 'application/json' } as const;

/** A clock the test moves by hand. */
export class ManualClock {
  constructor(public ms = Date.now()) {}
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

/**
 * The API app as `serve` builds it with an admin token: admin deps on the test's Redis prefix and
 * the real API readers over the pool. The readers are built per call, so that `/v1/tasks/stats`
 * shows the pool as it is now rather than `serve`'s half-second shared snapshot.
 */
export function adminApp(
  db: Kysely<Database>,
  redis: TestRedis,
  config: Config,
  options: { logger?: Logger; now?: () => number } = {},
): { app: Hono; deps: AdminDeps } {
  const deps: AdminDeps = { redis: redis.redis, queues: new TaskQueues(redis.redis, redis.prefix) };
  // No sharing window: each read takes a fresh snapshot, so an action shows at once.
  const readers = apiReaders(
    config,
    redis.redis,
    sharedPoolStats({ redis: redis.redis, prefix: redis.prefix, db, defaultSlots: config.slots.default }, 0),
  );
  const app = testApp(db, {
    config,
    admin: deps,
    readers: {
      taskStats: () => readers.taskStats!(),
      inFlight: () => readers.inFlight!(),
    },
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  return { app, deps };
}

/** JSON of a response, with its status. */
export async function answer<T = Record<string, unknown>>(
  response: Response | Promise<Response>,
): Promise<{ status: number; body: T; headers: Headers }> {
  const r = await response;
  return { status: r.status, body: (await r.json()) as T, headers: r.headers };
}
