import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

/**
 * CORS for browsers reading the public API from other origins: GET and HEAD (and their
 * preflight) on `/health` and `/v1/*`, never on `/v1/admin/*`, whose token must not be usable from
 * another site's page. Other methods and paths pass through without CORS headers.
 */
export function readApiCors(origins: readonly string[]): MiddlewareHandler {
  const handler = cors({ origin: origins.includes('*') ? '*' : [...origins], allowMethods: ['GET', 'HEAD'], maxAge: 600 });
  return async (c, next) => {
    const method = c.req.method;
    if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') return next();
    const path = c.req.path;
    const readApi = path === '/health' || (path.startsWith('/v1/') && path !== '/v1/admin' && !path.startsWith('/v1/admin/'));
    return readApi ? handler(c, next) : next();
  };
}
