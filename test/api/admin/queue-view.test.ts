import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AdminDeps } from '../../../src/api/admin/admin-deps.ts';
import { type HttpServer, startHttpServer } from '../../../src/api/http-server.ts';
import { ADMIN_SESSION_SECONDS, QUEUE_VIEW_REFRESH_MS } from '../../../src/config/constants.ts';
import { poolKeys } from '../../../src/pool/pool-keys.ts';
import { testApp } from '../../helpers/test-app.ts';
import { useTestDatabase } from '../../helpers/test-database.ts';
import { useTestRedis } from '../../helpers/test-redis.ts';
import { poolConfig, putList } from '../../pool/pool-fixture.ts';
import { ADMIN_TOKEN, AUTH, adminApp, ManualClock } from './admin-fixture.ts';

const database = useTestDatabase();
const redisHandle = useTestRedis();

describe('the queue view at /admin/queues', () => {
  let server: HttpServer | undefined;
  let bare: HttpServer | undefined;
  let deps: AdminDeps | undefined;
  const clock = new ManualClock();
  const url = (path: string) => `${server!.url}${path}`;

  before(async () => {
    await putList(database.db, { env_id: 'mujoco/reach-v1', task_ids: [1, 2] });
    // A queue the pool registered (admission does this when it first adds to an env).
    await redisHandle.redis.sadd(poolKeys(redisHandle.prefix).queues, 'legacy/env-v0');
    const built = adminApp(database.db, redisHandle, poolConfig(redisHandle.prefix, { EVALPOOL_ADMIN_TOKEN: ADMIN_TOKEN }), {
      now: clock.now,
    });
    deps = built.deps;
    server = await startHttpServer(built.app, '127.0.0.1', 0);
    bare = await startHttpServer(testApp(database.db), '127.0.0.1', 0);
  });
  after(async () => {
    await server?.stop();
    await bare?.stop();
    await deps?.queues.close();
  });

  test('404 when no admin token is configured', async () => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
      const response = await fetch(`${bare!.url}${path}`, { headers: AUTH });
      assert.equal(response.status, 404);
      assert.equal(((await response.json()) as { error: string }).error, 'not_found');
    }
  });

  test('401 without the token or with a wrong one; a browser gets a login form', async () => {
    const json = await fetch(url('/admin/queues'));
    assert.equal(json.status, 401);
    assert.equal(json.headers.get('www-authenticate'), 'Bearer realm="evalpool admin"');
    assert.equal(((await json.json()) as { error: string }).error, 'unauthorized');
    const wrong = await fetch(url('/admin/queues/api/queues'), { headers: { authorization: 'Bearer not-the-admin-token' } });
    assert.equal(wrong.status, 401);
    await wrong.body?.cancel();
    const page = await fetch(url('/admin/queues'), { headers: { accept: 'text/html,application/xhtml+xml' } });
    assert.equal(page.status, 401);
    const html = await page.text();
    assert.match(html, /<form method="post" action="\/v1\/admin\/session">/);
    assert.match(html, /name="return_to" value="\/admin\/queues"/);
    const forgedCookie = await fetch(url('/admin/queues'), {
      headers: { cookie: 'evalpool_admin=99999999999.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    });
    assert.equal(forgedCookie.status, 401);
    await forgedCookie.body?.cancel();
  });

  test('200 with the bearer token: the page, its assets, and every env queue (read-only)', async () => {
    const page = await fetch(url('/admin/queues'), { headers: AUTH });
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<title>evalpool queues<\/title>/);
    const script = /src="(static\/js\/main\.[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script, 'the page loads its script');
    const asset = await fetch(url(`/admin/queues/${script}`), { headers: AUTH });
    assert.equal(asset.status, 200);
    await asset.body?.cancel();

    const api = await fetch(url('/admin/queues/api/queues'), { headers: AUTH });
    assert.equal(api.status, 200);
    const body = (await api.json()) as { queues: { name: string; readOnlyMode: boolean }[] };
    assert.deepEqual(body.queues.map((q) => q.name).sort(), ['legacy/env-v0', 'mujoco/reach-v1']);
    assert.ok(body.queues.every((q) => q.readOnlyMode));

    const slash = await fetch(url('/admin/queues/'), { headers: AUTH, redirect: 'manual' });
    assert.equal(slash.status, 301);
    assert.equal(slash.headers.get('location'), '/admin/queues');
  });

  test('writes are refused (405): retrying a paused job here would bypass the slot fence', async () => {
    for (const [method, path] of [
      ['PUT', '/admin/queues/api/queues/mujoco%2Freach-v1/retry/failed'],
      ['PUT', '/admin/queues/api/queues/mujoco%2Freach-v1/pause'],
      ['DELETE', '/admin/queues/api/queues/mujoco%2Freach-v1/clean/failed'],
      ['POST', '/admin/queues/api/queues/mujoco%2Freach-v1/add'],
    ] as const) {
      const response = await fetch(url(path), { method, headers: AUTH });
      assert.equal(response.status, 405, `${method} ${path}`);
      assert.equal(((await response.json()) as { error: string }).error, 'read_only');
    }
  });

  test('new env queues appear once the refresh interval has passed', async () => {
    await redisHandle.redis.sadd(poolKeys(redisHandle.prefix).queues, 'mujoco/new-v1');
    const names = async () =>
      ((await (await fetch(url('/admin/queues/api/queues'), { headers: AUTH })).json()) as { queues: { name: string }[] }).queues.map(
        (q) => q.name,
      );
    assert.equal((await names()).includes('mujoco/new-v1'), false, 'not looked up again yet');
    clock.advance(QUEUE_VIEW_REFRESH_MS);
    assert.equal((await names()).includes('mujoco/new-v1'), true);
  });

  test('a session cookie from the login form opens the view (only the view) until it expires', async () => {
    const wrong = await fetch(url('/v1/admin/session'), {
      method: 'POST',
      body: new URLSearchParams({ token: 'nope', return_to: '/admin/queues' }),
      redirect: 'manual',
    });
    assert.equal(wrong.status, 401);
    assert.match(await wrong.text(), /That is not the admin token/);

    const login = await fetch(url('/v1/admin/session'), {
      method: 'POST',
      body: new URLSearchParams({ token: ADMIN_TOKEN, return_to: '/admin/queues/queue/mujoco%2Freach-v1' }),
      redirect: 'manual',
    });
    assert.equal(login.status, 303);
    assert.equal(login.headers.get('location'), '/admin/queues/queue/mujoco%2Freach-v1');
    const setCookie = login.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /^evalpool_admin=\d+\.[A-Za-z0-9_-]{43}; Max-Age=28800; Path=\/admin\/queues; HttpOnly; SameSite=Strict$/);
    assert.equal(setCookie.includes(ADMIN_TOKEN), false, 'the cookie never holds the token');
    const cookie = setCookie.split(';')[0]!;

    const page = await fetch(url('/admin/queues'), { headers: { cookie } });
    assert.equal(page.status, 200);
    await page.body?.cancel();
    const admin = await fetch(url('/v1/admin/paused-tasks'), { headers: { cookie } });
    assert.equal(admin.status, 401, 'the JSON admin API wants the bearer header, never the cookie');
    await admin.body?.cancel();

    const offsite = await fetch(url('/v1/admin/session'), {
      method: 'POST',
      body: new URLSearchParams({ token: ADMIN_TOKEN, return_to: '//evil.example.com/' }),
      redirect: 'manual',
    });
    assert.equal(offsite.headers.get('location'), '/admin/queues', 'never redirected off the queue view');
    await offsite.body?.cancel();

    const viaJson = await fetch(url('/v1/admin/session'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: ADMIN_TOKEN }),
    });
    assert.equal(viaJson.status, 200);
    assert.deepEqual(Object.keys((await viaJson.json()) as object), ['cookie', 'path', 'expires_at']);

    clock.advance(ADMIN_SESSION_SECONDS * 1_000);
    const expired = await fetch(url('/admin/queues'), { headers: { cookie } });
    assert.equal(expired.status, 401);
    await expired.body?.cancel();
  });
});
