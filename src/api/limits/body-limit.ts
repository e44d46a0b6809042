import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

/**
 * Refuses request bodies over `maxBytes` with 413 `{error, detail}` (Hono's `bodyLimit`: by
 * `Content-Length`, or counted while streaming when there is none). GET and HEAD skip it: Node's
 * adapter gives them no body, and touching it would build a full `Request` on the hot path.
 */
export function limitBodies(maxBytes: number): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: (c) => c.json({ error: 'payload_too_large', detail: `the request body is larger than ${maxBytes} bytes` }, 413),
  });
  return (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limit(c, next));
}
