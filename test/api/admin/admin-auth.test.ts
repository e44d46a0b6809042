import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testApp } from '../../helpers/test-app.ts';
import { testConfig } from '../../helpers/test-config.ts';
import { useTestDatabase } from '../../helpers/test-database.ts';
import { capturingLogger } from '../../helpers/test-logger.ts';
import { ADMIN_TOKEN, AUTH, answer, JSON_AUTH } from './admin-fixture.ts';

const database = useTestDatabase();

/** One request of every admin route (with a valid body where it has one). */
const ROUTES: readonly { method: string; path: string; body?: string }[] = [
  { method: 'GET', path: '/v1/admin/paused-tasks' },
  { method: 'DELETE', path: '/v1/admin/paused-tasks?dry_run=true' },
  { method: 'POST', path: '/v1/admin/rotations', body: '{"env":"env-a"}' },
  { method: 'PUT', path: '/v1/admin/miners/hk1/slots', body: '{"pinned":3}' },
  { method: 'POST', path: '/v1/admin/miners/hk1/pause' },
  { method: 'POST', path: '/v1/admin/miners/hk1/resume' },
  { method: 'POST', path: '/v1/admin/session', body: JSON.stringify({ token: ADMIN_TOKEN }) },
  { method: 'GET', path: '/admin/queues' },
  { method: 'GET', path: '/admin/queues/api/queues' },
];

describe('admin authentication', () => {
  test('no token configured: every admin route answers 404, as if it did not exist, even with a token', async () => {
    const app = testApp(database.db);
    for (const route of ROUTES) {
      for (const headers of [{}, AUTH]) {
        const { status, body } = await answer(
          app.request(route.path, { method: route.method, headers, ...(route.body ? { body: route.body } : {}) }),
        );
        assert.equal(status, 404, `${route.method} ${route.path}`);
        assert.deepEqual(body, { error: 'not_found', detail: `no route for ${route.method} ${route.path.split('?')[0]}` });
      }
    }
  });

  test('no token sent: 401 with a Bearer challenge; wrong token: 401 invalid_token; and nothing changes', async () => {
    const { logger, lines } = capturingLogger('info');
    const app = testApp(database.db, { config: testConfig({ EVALPOOL_ADMIN_TOKEN: ADMIN_TOKEN }), logger });
    const wrong = [`Bearer ${ADMIN_TOKEN}x`, `Bearer ${ADMIN_TOKEN.slice(0, -1)}`, 'Bearer a', `bearer ${'z'.repeat(5_000)}`];
    for (const route of ROUTES.filter((r) => r.path !== '/v1/admin/session')) {
      const init = (headers: Record<string, string>) => ({
        method: route.method,
        headers: { accept: 'application/json', ...headers },
        ...(route.body ? { body: route.body } : {}),
      });
      const missing = await answer<{ error: string; detail: string }>(app.request(route.path, init({})));
      assert.equal(missing.status, 401, `${route.method} ${route.path}`);
      assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="evalpool admin"');
      assert.equal(missing.body.error, 'unauthorized');
      assert.match(missing.body.detail, /Authorization: Bearer/);
      for (const authorization of [...wrong, `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}`]) {
        const refused = await answer<{ error: string }>(app.request(route.path, init({ authorization })));
        assert.equal(refused.status, 401, `${route.method} ${route.path} with ${authorization.slice(0, 20)}`);
        if (authorization.toLowerCase().startsWith('bearer'))
          assert.equal(refused.headers.get('www-authenticate'), 'Bearer realm="evalpool admin", error="invalid_token"');
      }
    }
    const session = await answer(
      app.request('/v1/admin/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"token":"not-the-token"}',
      }),
    );
    assert.equal(session.status, 401);
    assert.equal((await database.db.selectFrom('miner_slots').selectAll().execute()).length, 0, 'no refused request changed anything');
    const refusals = lines.filter((l) => l.component === 'admin' && /refused/.test(String(l.msg)));
    assert.ok(refusals.length > 0 && refusals.every((l) => l.ip === 'unknown' && typeof l.path === 'string'));
    assert.equal(JSON.stringify(lines).includes(ADMIN_TOKEN.slice(0, 12)), false, 'no part of the token is logged');
  });

  test('the right token opens every route (Redis-backed ones answer 503 in a process without Redis deps)', async () => {
    const app = testApp(database.db, { config: testConfig({ EVALPOOL_ADMIN_TOKEN: ADMIN_TOKEN }) });
    const status = async (method: string, path: string, body?: string) =>
      (await app.request(path, { method, headers: JSON_AUTH, ...(body ? { body } : {}) })).status;
    assert.equal(await status('GET', '/v1/admin/paused-tasks'), 503);
    assert.equal(await status('POST', '/v1/admin/rotations', '{"env":"env-a"}'), 404, 'no such list: past the auth');
    assert.equal(
      await status('PUT', '/v1/admin/miners/hk1/slots', '{"pinned":3,"new":true}'),
      200,
      'a hotkey not seen yet, pinned on purpose',
    );
    assert.equal(await status('POST', '/v1/admin/miners/hk1/pause'), 200);
    assert.equal(await status('GET', '/v1/admin/nothing-here'), 404);
    assert.equal(await status('GET', '/admin/queues'), 503);
  });
});

describe('admin input validation: 400 with a message naming what is wrong', () => {
  const app = () => testApp(database.db, { config: testConfig({ EVALPOOL_ADMIN_TOKEN: ADMIN_TOKEN }) });
  const cases: readonly { method: string; path: string; body?: string; headers?: Record<string, string>; detail: RegExp }[] = [
    {
      method: 'PUT',
      path: '/v1/admin/miners/hk1/slots',
      body: '{"pinned": -1}',
      detail: /^pinned must be a whole number from 0 to 10000, or null to unpin, got -1$/,
    },
    { method: 'PUT', path: '/v1/admin/miners/hk1/slots', body: '{"pinned": 1.5}', detail: /pinned must be a whole number/ },
    { method: 'PUT', path: '/v1/admin/miners/hk1/slots', body: '{"pinned": "8"}', detail: /pinned must be a whole number/ },
    { method: 'PUT', path: '/v1/admin/miners/hk1/slots', body: '{"pinned": 10001}', detail: /pinned must be a whole number/ },
    { method: 'PUT', path: '/v1/admin/miners/hk1/slots', body: '{}', detail: /^pinned is required$/ },
    { method: 'PUT', path: '/v1/admin/miners/hk1/slots', body: '{"pinned": 3, "pin": 4}', detail: /unknown field "pin"; allowed: pinned/ },
    {
      method: 'PUT',
      path: '/v1/admin/miners/hk1/slots',
      body: '[3]',
      detail: /^the body must be a JSON object with pinned, new, got \[3\]$/,
    },
    { method: 'PUT', path: '/v1/admin/miners/hk1/slots', body: '{"pinned": 3', detail: /the body is not valid JSON/ },
    { method: 'PUT', path: '/v1/admin/miners/hk1/slots', detail: /a JSON object body is required, with pinned/ },
    {
      method: 'PUT',
      path: `/v1/admin/miners/${'h'.repeat(129)}/slots`,
      body: '{"pinned": 3}',
      detail: /^hotkey must be 1 to 128 letters, digits/,
    },
    {
      method: 'POST',
      path: '/v1/admin/miners/%20x/pause',
      detail: /^hotkey must be 1 to 128 letters, digits, "\.", "_" or "-", got " x"$/,
    },
    { method: 'GET', path: '/v1/admin/paused-tasks?hotkey=', detail: /^hotkey must be 1 to 128 letters, digits/ },
    {
      method: 'POST',
      path: '/v1/admin/rotations',
      body: '{"env": "no spaces allowed"}',
      detail: /^env must be 1-128 letters, digits, _ \. \/ -, got "no spaces allowed"$/,
    },
    { method: 'POST', path: '/v1/admin/rotations', body: '{"env": 7}', detail: /^env: / },
    { method: 'POST', path: '/v1/admin/rotations', body: 'null', detail: /the body must be a JSON object with env/ },
    { method: 'GET', path: '/v1/admin/paused-tasks?older_than_seconds=2h', detail: /older_than_seconds must be a whole number from 0 to/ },
    { method: 'GET', path: '/v1/admin/paused-tasks?limit=0', detail: /limit must be a whole number from 1 to 10000/ },
    { method: 'GET', path: '/v1/admin/paused-tasks?env=a&env=b', detail: /env is given 2 times; give it once/ },
    {
      method: 'DELETE',
      path: '/v1/admin/paused-tasks?miner=hk1',
      detail: /unknown query parameter "miner"; allowed: hotkey, env, older_than_seconds, dry_run/,
    },
    { method: 'DELETE', path: '/v1/admin/paused-tasks?dry_run=yes', detail: /dry_run must be true or false/ },
    {
      method: 'POST',
      path: '/v1/admin/session',
      body: '{"token": 5}',
      headers: { 'content-type': 'application/json' },
      detail: /token must be a non-empty string/,
    },
    {
      method: 'POST',
      path: '/v1/admin/session',
      body: 'garbage',
      headers: { 'content-type': 'multipart/form-data' },
      detail: /^the form body cannot be read/,
    },
    {
      method: 'POST',
      path: '/v1/admin/session',
      body: 'garbage',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      detail: /^the form body cannot be read/,
    },
  ];
  for (const c of cases) {
    test(`${c.method} ${c.path.slice(0, 60)} ${c.body ?? '(no body)'}`, async () => {
      const { status, body } = await answer<{ error: string; detail: string }>(
        app().request(c.path, { method: c.method, headers: c.headers ?? JSON_AUTH, ...(c.body !== undefined ? { body: c.body } : {}) }),
      );
      assert.equal(status, 400);
      assert.match(body.error, /^invalid_(body|query|parameter)$/);
      assert.match(body.detail, c.detail);
    });
  }
});
