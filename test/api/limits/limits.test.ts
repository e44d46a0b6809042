import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { type HttpServer, startHttpServer } from '../../../src/api/http-server.ts';
import { testApp } from '../../helpers/test-app.ts';
import { testConfig } from '../../helpers/test-config.ts';
import { useTestDatabase } from '../../helpers/test-database.ts';

const database = useTestDatabase();
const TOKEN = 'limits-test-admin-token-0123456789';

/** A clock the test moves by hand. */
function manualClock(start = Date.UTC(2026, 0, 1, 12, 0, 0)) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('rate limit', () => {
  test('429 with Retry-After past the limit, then recovery after waiting that long (injected clock)', async () => {
    const clock = manualClock();
    const app = testApp(database.db, { config: testConfig({ EVALPOOL_RATE_LIMIT_PER_MINUTE: '3' }), now: clock.now });
    for (let i = 0; i < 3; i++) assert.equal((await app.request('/v1/environments')).status, 200);
    const refused = await app.request('/v1/environments');
    assert.equal(refused.status, 429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 120, `Retry-After ${retryAfter}`);
    const body = (await refused.json()) as { error: string; detail: string };
    assert.equal(body.error, 'rate_limited');
    assert.match(body.detail, /more than 3 requests per minute/);
    // Every route counts, the 404s and the admin routes too.
    assert.equal((await app.request('/no-such-route')).status, 429);
    clock.advance(retryAfter * 1_000 - 1_000);
    assert.equal((await app.request('/v1/environments')).status, 429, 'not before Retry-After');
    clock.advance(1_000);
    assert.equal((await app.request('/v1/environments')).status, 200, 'recovered');
  });

  test('0 turns the limit off', async () => {
    const app = testApp(database.db, { config: testConfig({ EVALPOOL_RATE_LIMIT_PER_MINUTE: '0' }) });
    for (let i = 0; i < 50; i++) assert.equal((await app.request('/v1/environments')).status, 200);
  });

  test('per client address: behind a trusted proxy, X-Forwarded-For; otherwise the header changes nothing', async () => {
    const clock = manualClock();
    const trusting = testApp(database.db, {
      config: testConfig({ EVALPOOL_RATE_LIMIT_PER_MINUTE: '1', EVALPOOL_TRUST_PROXY: 'true' }),
      now: clock.now,
    });
    const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
    assert.equal((await trusting.request('/v1/environments', from('198.51.100.1'))).status, 200);
    assert.equal((await trusting.request('/v1/environments', from('198.51.100.1'))).status, 429);
    assert.equal((await trusting.request('/v1/environments', from('198.51.100.2'))).status, 200);
    assert.equal((await trusting.request('/v1/environments', from('2001:db8:1:2::1'))).status, 200);
    assert.equal((await trusting.request('/v1/environments', from('2001:db8:1:2::ffff'))).status, 429, 'one IPv6 /64 is one client');

    const direct = testApp(database.db, { config: testConfig({ EVALPOOL_RATE_LIMIT_PER_MINUTE: '1' }), now: clock.now });
    assert.equal((await direct.request('/v1/environments', from('198.51.100.1'))).status, 200);
    assert.equal((await direct.request('/v1/environments', from('198.51.100.2'))).status, 429, 'a spoofed header is not a new client');
  });

  describe('on a listening server: the socket address is the client', () => {
    let server: HttpServer | undefined;
    after(() => server?.stop());

    test('the third request from 127.0.0.1 within a minute is refused, and answered again after Retry-After', async () => {
      const clock = manualClock();
      const app = testApp(database.db, { config: testConfig({ EVALPOOL_RATE_LIMIT_PER_MINUTE: '2' }), now: clock.now });
      server = await startHttpServer(app, '127.0.0.1', 0);
      const get = () =>
        fetch(`${server!.url}/v1/environments`, { headers: { 'x-forwarded-for': `10.0.0.${Math.floor(Math.random() * 200)}` } });
      assert.equal((await get()).status, 200);
      assert.equal((await get()).status, 200);
      const refused = await get();
      assert.equal(refused.status, 429);
      assert.equal(refused.headers.get('content-type'), 'application/json');
      const retryAfter = Number(refused.headers.get('retry-after'));
      await refused.body?.cancel();
      clock.advance(retryAfter * 1_000);
      const again = await get();
      assert.equal(again.status, 200);
      await again.body?.cancel();
    });
  });
});

describe('body size limit', () => {
  const app = () => testApp(database.db, { config: testConfig({ EVALPOOL_BODY_LIMIT_BYTES: '1024', EVALPOOL_ADMIN_TOKEN: TOKEN }) });
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

  test('413 JSON for a body over the limit, by Content-Length, before anything reads it', async () => {
    const body = JSON.stringify({ env: 'x'.repeat(2_000) });
    const response = await app().request('/v1/admin/rotations', { method: 'POST', headers, body });
    assert.equal(response.status, 413);
    assert.deepEqual(await response.json(), { error: 'payload_too_large', detail: 'the request body is larger than 1024 bytes' });
    // Even without the token, and on routes that do not exist.
    assert.equal((await app().request('/v1/admin/rotations', { method: 'POST', body })).status, 413);
    assert.equal((await app().request('/nowhere', { method: 'PUT', body })).status, 413);
  });

  test('413 for a streamed body without Content-Length once it passes the limit', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(600));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(chunk);
        controller.enqueue(chunk);
        controller.close();
      },
    });
    const response = await app().request('/v1/admin/rotations', { method: 'POST', headers, body: stream, duplex: 'half' });
    assert.equal(response.status, 413);
  });

  test('a body within the limit reaches the route', async () => {
    const response = await app().request('/v1/admin/rotations', { method: 'POST', headers, body: JSON.stringify({ env: 'none/such-v1' }) });
    assert.equal(response.status, 404);
    assert.equal(((await response.json()) as { error: string }).error, 'not_found');
  });
});

describe('CORS', () => {
  const origin = 'https://dashboard.example.org';

  test('absent by default', async () => {
    const app = testApp(database.db);
    const response = await app.request('/v1/environments', { headers: { origin } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), null);
    const preflight = await app.request('/v1/environments', {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'GET' },
    });
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
  });

  test('when configured: GET and preflight on the read API for the listed origins only, never on admin routes', async () => {
    const app = testApp(database.db, {
      config: testConfig({ EVALPOOL_CORS_ORIGINS: `${origin}, https://other.example.org`, EVALPOOL_ADMIN_TOKEN: TOKEN }),
    });
    const read = await app.request('/v1/environments', { headers: { origin } });
    assert.equal(read.headers.get('access-control-allow-origin'), origin);
    const missing = await app.request('/v1/weights/latest', { headers: { origin } });
    assert.equal(missing.headers.get('access-control-allow-origin'), origin, 'also on errors (404 before the first weights)');
    const stranger = await app.request('/v1/environments', { headers: { origin: 'https://evil.example.com' } });
    assert.equal(stranger.headers.get('access-control-allow-origin'), null);
    const preflight = await app.request('/v1/environments', {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'GET' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-methods'), 'GET,HEAD');

    const admin = await app.request('/v1/admin/paused-tasks', { headers: { origin, authorization: `Bearer ${TOKEN}` } });
    assert.equal(admin.headers.get('access-control-allow-origin'), null);
    const adminPreflight = await app.request('/v1/admin/rotations', {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    });
    assert.equal(adminPreflight.headers.get('access-control-allow-origin'), null);
    assert.notEqual(adminPreflight.status, 204);
    const queueView = await app.request('/admin/queues', { headers: { origin } });
    assert.equal(queueView.headers.get('access-control-allow-origin'), null);
  });

  test('* allows any origin on the read API', async () => {
    const app = testApp(database.db, { config: testConfig({ EVALPOOL_CORS_ORIGINS: '*' }) });
    const response = await app.request('/v1/environments', { headers: { origin } });
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
  });
});
