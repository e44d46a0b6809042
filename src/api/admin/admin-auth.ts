import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { type AdminContext, callerIp } from './admin-context.ts';
import { loginPage } from './login-page.ts';

/** The cookie holding a queue-view session (see `AdminToken.issueSession`). */
export const SESSION_COOKIE = 'evalpool_admin';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
const CHALLENGE = 'Bearer realm="evalpool admin"';

/** The token of an `Authorization: Bearer <token>` header; undefined when absent or another scheme. */
export function bearerToken(c: Context): string | undefined {
  const header = c.req.header('authorization');
  return header === undefined ? undefined : BEARER.exec(header)?.[1];
}

/** The answer of every admin route while no token is configured: the app's own 404, as if absent. */
export function absent(c: Context): Response {
  return c.json({ error: 'not_found', detail: `no route for ${c.req.method} ${c.req.path}` }, 404);
}

/** 401 with the challenge; a browser asking the queue view for a page gets the login form. */
function unauthorized(ctx: AdminContext, c: Context, reason: 'missing' | 'wrong', loginForm: boolean): Response {
  ctx.logger.warn(
    { ip: callerIp(ctx, c), method: c.req.method, path: c.req.path, reason },
    'admin: refused a request without a valid token',
  );
  const challenge = reason === 'wrong' ? `${CHALLENGE}, error="invalid_token"` : CHALLENGE;
  if (loginForm && c.req.method === 'GET' && (c.req.header('accept') ?? '').includes('text/html')) {
    return c.html(loginPage(c.req.path), 401, { 'WWW-Authenticate': challenge });
  }
  const detail =
    reason === 'missing'
      ? 'this route needs the admin token: send "Authorization: Bearer <EVALPOOL_ADMIN_TOKEN>"'
      : 'the bearer token is not the admin token';
  return c.json({ error: 'unauthorized', detail }, 401, { 'WWW-Authenticate': challenge });
}

/**
 * Admits requests carrying the admin token as a bearer header. With `session`, a valid session
 * cookie also admits (the queue view, which a browser opens without headers); the JSON admin
 * API never accepts the cookie, so another site's page cannot make a logged-in browser act.
 */
export function requireAdmin(ctx: AdminContext, options: { session: boolean }): MiddlewareHandler {
  return async (c, next) => {
    const bearer = bearerToken(c);
    if (bearer !== undefined) {
      if (ctx.token.matches(bearer)) return next();
      return unauthorized(ctx, c, 'wrong', options.session);
    }
    if (options.session) {
      const cookie = getCookie(c, SESSION_COOKIE);
      if (cookie !== undefined && ctx.token.verifySession(cookie, ctx.now())) return next();
      return unauthorized(ctx, c, cookie === undefined ? 'missing' : 'wrong', true);
    }
    return unauthorized(ctx, c, 'missing', false);
  };
}
