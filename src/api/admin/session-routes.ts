import type { Context, Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import * as v from 'valibot';
import { ADMIN_SESSION_SECONDS } from '../../config/constants.ts';
import { errorMessage } from '../../runtime/error-message.ts';
import { ApiError } from '../api-error.ts';
import { bearerToken, SESSION_COOKIE } from './admin-auth.ts';
import { type AdminContext, audit, callerIp } from './admin-context.ts';
import { parseJsonBody } from './admin-input.ts';
import { loginPage } from './login-page.ts';
import { QUEUE_VIEW_PATH } from './queue-view.ts';

const TOKEN_RULE = 'token must be a non-empty string';
const SessionBody = v.strictObject({
  token: v.pipe(v.string(TOKEN_RULE), v.minLength(1, TOKEN_RULE), v.maxLength(4_096, 'token is too long')),
  return_to: v.optional(v.string('return_to must be a string')),
});

const isForm = (c: Context) => /^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(c.req.header('content-type') ?? '');

/** Where a form login goes back to: somewhere in the queue view, never another site. */
function returnPath(raw: string | undefined): string {
  return raw !== undefined && (raw === QUEUE_VIEW_PATH || raw.startsWith(`${QUEUE_VIEW_PATH}/`)) && !raw.includes('//')
    ? raw
    : QUEUE_VIEW_PATH;
}

async function readBody(c: Context): Promise<v.InferOutput<typeof SessionBody>> {
  if (!isForm(c)) return parseJsonBody(c, SessionBody);
  // Hono throws a TypeError on a malformed multipart body: the client's mistake, not a 500.
  const form = await c.req.parseBody().catch((error: unknown) => {
    throw new ApiError(400, 'invalid_body', `the form body cannot be read (${errorMessage(error)})`);
  });
  const result = v.safeParse(SessionBody, { token: form.token, ...(form.return_to !== undefined ? { return_to: form.return_to } : {}) });
  if (!result.success) throw new ApiError(400, 'invalid_body', result.issues[0].message);
  return result.output;
}

/**
 * `POST /v1/admin/session` opens a queue-view session for a browser, which cannot add a bearer
 * header to page loads: given the token (as a bearer header, a JSON body `{"token"}` or the login
 * form's fields), it sets the `evalpool_admin` cookie (HttpOnly, SameSite=Strict, Path=/admin/queues,
 * Secure over HTTPS, for `ADMIN_SESSION_SECONDS`). The cookie holds an expiry and its HMAC under the
 * token, never the token, and it opens only the read-only queue view: the JSON admin API still
 * wants the bearer header. A form post is redirected (303) back to the queue view.
 */
export function registerSessionRoutes(admin: Hono, ctx: AdminContext): void {
  admin.post('/session', async (c) => {
    const form = isForm(c);
    const bearer = bearerToken(c);
    const body = bearer === undefined ? await readBody(c) : undefined;
    if (!ctx.token.matches(bearer ?? body?.token ?? '')) {
      ctx.logger.warn(
        { ip: callerIp(ctx, c), method: 'POST', path: c.req.path, reason: 'wrong' },
        'admin: refused a session for a wrong token',
      );
      const headers = { 'WWW-Authenticate': 'Bearer realm="evalpool admin", error="invalid_token"' };
      if (form)
        return c.html(
          loginPage(returnPath(body?.return_to)).replace('<form', '<p><strong>That is not the admin token.</strong></p>\n<form'),
          401,
          headers,
        );
      return c.json({ error: 'unauthorized', detail: 'the token is not the admin token' }, 401, headers);
    }
    const session = ctx.token.issueSession(ctx.now(), ADMIN_SESSION_SECONDS);
    const secure = new URL(c.req.url).protocol === 'https:' || (ctx.trustProxy && c.req.header('x-forwarded-proto') === 'https');
    setCookie(c, SESSION_COOKIE, session.value, {
      httpOnly: true,
      sameSite: 'Strict',
      path: QUEUE_VIEW_PATH,
      maxAge: ADMIN_SESSION_SECONDS,
      secure,
    });
    audit(ctx, c, 'session.open', { expires_at: session.expiresAt.toISOString() }, 'opened a queue-view session');
    if (form) return c.redirect(returnPath(body?.return_to), 303);
    return c.json({ cookie: SESSION_COOKIE, path: QUEUE_VIEW_PATH, expires_at: session.expiresAt.toISOString() });
  });
}
