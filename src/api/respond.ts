import type { Context } from 'hono';
import type { Logger } from 'pino';
import { ApiError } from './api-error.ts';
import type { LatestCache } from './latest-cache.ts';

/** Headers of a pre-serialised JSON body (what `c.json` would send). */
const JSON_HEADERS = { 'content-type': 'application/json' } as const;

/** Sends a JSON string as it is: the hot paths serialise once per change, not per request. */
export function sendJson(c: Context, body: string): Response {
  return c.body(body, 200, JSON_HEADERS);
}

/**
 * The cached body from memory, or loaded on the first request; 503 when that first load fails
 * (the database is unreachable), 404 with `missing` when the resource does not exist yet.
 */
export async function cachedBody(cache: LatestCache, missing: string, logger: Logger): Promise<string> {
  let cached = cache.peek();
  if (!cached) {
    try {
      cached = await cache.get();
    } catch (error) {
      // Internals (addresses, SQL) stay in the log; the client learns it is temporary.
      logger.error({ err: error }, 'first load of a cached resource failed');
      throw new ApiError(503, 'unavailable', 'the database did not answer; try again shortly');
    }
  }
  if (cached.body === null) throw new ApiError(404, 'not_found', missing);
  return cached.body;
}
