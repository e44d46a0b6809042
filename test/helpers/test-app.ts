import type { Hono } from 'hono';
import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { ApiDeps } from '../../src/api/api-deps.ts';
import { createApp } from '../../src/api/app.ts';
import type { ApiReaders } from '../../src/api/readers.ts';
import type { Config } from '../../src/config/schema.ts';
import type { Database } from '../../src/db/schema.ts';
import { testConfig } from './test-config.ts';
import { testLogger } from './test-logger.ts';

/**
 * The API app over a test database, for `app.request()`. Its Redis probe connection is lazy and
 * never opened unless `/health` is called (then it really connects to the configured Redis).
 */
export function testApp(
  db: Kysely<Database>,
  options: {
    readers?: ApiReaders;
    config?: Config;
    tuning?: ApiDeps['tuning'];
    logger?: ApiDeps['logger'];
    admin?: ApiDeps['admin'];
    now?: ApiDeps['now'];
  } = {},
): Hono {
  const config = options.config ?? testConfig();
  const redisProbe = new Redis(config.storage.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  return createApp({
    config,
    db,
    redisProbe,
    logger: options.logger ?? testLogger(),
    ...(options.readers ? { readers: options.readers } : {}),
    ...(options.tuning ? { tuning: options.tuning } : {}),
    ...(options.admin ? { admin: options.admin } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}

/** The JSON body and status of a request to the app. */
export async function getJson<T = Record<string, unknown>>(
  app: Hono,
  path: string,
): Promise<{ status: number; body: T; contentType: string | null }> {
  const response = await app.request(path);
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as T, contentType: response.headers.get('content-type') };
}
