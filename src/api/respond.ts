import type { Context } from 'hono';
import { ApiError } from './api-error.ts';
import type { LatestCache } from './latest-cache.ts';

/** Headers of a pre-serialised JSON body (what `c.json` would send). */
const JSON_HEADERS = { 'content-type': 'application/json' } as const;

/** Sends a JSON string as it is: the hot paths serialise once per change, not per request. */
export function sendJson(c: Context, body: string): Response {
  return c.body(body, 200, JSON_HEADERS);
}

/**
 * The cached body from memory, or loaded on the first request, 404 with `missing` when the
 * resource does not exist yet.
 */
export async function cachedBody(cache: LatestCache, missing: string): Promise<string> {
  // A failed first load is thrown on: the app's onError answers 503 when Postgres did not answer.
  const cached = cache.peek() ?? (await cache.get());
  if (cached.body === null) throw new ApiError(404, 'not_found', missing);
  return cached.body;
}
