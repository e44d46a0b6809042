import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Hono } from 'hono';
import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AdminDeps } from '../../src/api/admin/admin-deps.ts';
import { createApp } from '../../src/api/app.ts';
import { startHttpServer } from '../../src/api/http-server.ts';
import type { Config } from '../../src/config/schema.ts';
import { createDatabase } from '../../src/db/database.ts';
import type { Database } from '../../src/db/schema.ts';
import { TaskQueues } from '../../src/pool/task-queues.ts';
import { createMetrics, Registry } from '../../src/runtime/metrics.ts';
import { closeRedis, createRedis } from '../../src/runtime/redis.ts';
import { parsePrometheusText, samplesOf } from '../helpers/prometheus-text.ts';
import { testConfig } from '../helpers/test-config.ts';
import { useTestDatabase } from '../helpers/test-database.ts';
import { capturingLogger } from '../helpers/test-logger.ts';
import { useTestRedis } from '../helpers/test-redis.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { ADMIN_TOKEN, AUTH, JSON_AUTH } from './admin/admin-fixture.ts';

/** Nothing listens on port 1: every connection is refused at once, as with a stopped server. */
const CLOSED_POSTGRES = 'postgres://postgres@127.0.0.1:1/evalpool';
const CLOSED_REDIS = 'redis://127.0.0.1:1';

const redis = useTestRedis();
const database = useTestDatabase();

/** Every route that reads or writes Postgres, as a request. */
const POSTGRES_ROUTES: readonly [string, string, RequestInit?][] = [
  ['GET', '/v1/status'],
  ['GET', '/v1/miners'],
  ['GET', '/v1/miners/1'],
  ['GET', '/v1/environments'],
  ['GET', '/v1/scores/latest'],
  ['GET', '/v1/scores/1'],
  ['GET', '/v1/weights/latest'],
  ['GET', '/v1/weights/1'],
  ['POST', '/v1/admin/rotations', { headers: JSON_AUTH, body: JSON.stringify({ env: 'mujoco/reach-v1' }) }],
  ['PUT', '/v1/admin/miners/hk1/slots', { headers: JSON_AUTH, body: JSON.stringify({ pinned: 3 }) }],
  ['POST', '/v1/admin/miners/hk1/pause', { headers: AUTH }],
  ['POST', '/v1/admin/miners/hk1/resume', { headers: AUTH }],
];

/** A request to every registered route, path parameters filled with valid values. */
function everyRoute(app: Hono): [string, string][] {
  const fill = (path: string): string =>
    path
      .replace(/:(uid|block|id)\b/g, '1')
      .replace(/:hotkey\b/g, 'hk1')
      .replace(/:[a-z]+/g, 'x')
      .replace(/\*$/, '');
  const seen = new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${fill(r.path)}`));
  return [...seen].map((s) => s.split(' ') as [string, string]);
}

describe('a dependency that does not answer is 503 unavailable naming it, on every route', () => {
  let config: Config;
  let downDb: Kysely<Database>;
  const probes: Redis[] = [];
  before(() => {
    config = testConfig({ EVALPOOL_QUEUE_PREFIX: redis.prefix, EVALPOOL_ADMIN_TOKEN: ADMIN_TOKEN, EVALPOOL_DATABASE_URL: CLOSED_POSTGRES });
  });
  after(async () => {
    for (const probe of probes) probe.disconnect();
    await downDb?.destroy();
  });

  /** The serve app with admin deps; its Redis probe (used by `/health`) is closed after the tests. */
  function appOver(db: Kysely<Database>, admin: AdminDeps, logger: Logger): Hono {
    const redisProbe = new Redis(config.storage.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    probes.push(redisProbe);
    return createApp({ config, db, redisProbe, logger, admin });
  }

  test('Postgres down: 503 naming Postgres on every Postgres route, no 500 anywhere, nothing logged at error level', async () => {
    const { logger, lines } = capturingLogger('info');
    downDb = createDatabase({ url: CLOSED_POSTGRES, poolSize: 2, logger });
    const app = appOver(downDb, { redis: redis.redis, queues: new TaskQueues(redis.redis, redis.prefix) }, logger);
    for (const [method, path, init] of POSTGRES_ROUTES) {
      const response = await app.request(path, { method, ...init });
      assert.equal(response.status, 503, `${method} ${path}`);
      assert.deepEqual(
        await response.json(),
        { error: 'unavailable', detail: 'Postgres did not answer; try again shortly' },
        `${method} ${path}`,
      );
    }
    for (const [method, path] of everyRoute(app)) {
      const response = await app.request(path, {
        method,
        headers: JSON_AUTH,
        ...(method === 'GET' || method === 'HEAD' ? {} : { body: '{}' }),
      });
      assert.notEqual(response.status, 500, `${method} ${path}: ${await response.text()}`);
    }
    // Paused tasks live in Redis: filtering them by hotkey skips the Postgres check, with a warning.
    const paused = await app.request('/v1/admin/paused-tasks?hotkey=hk1', { headers: AUTH });
    assert.equal(paused.status, 200, await paused.clone().text());
    assert.equal(((await paused.json()) as { count: number }).count, 0);
    assert.ok(lines.some((l) => l.msg === 'admin: could not check the hotkey in Postgres; filtering paused tasks by it unchecked'));
    assert.deepEqual(
      lines.filter((l) => (l.level as number) >= 50),
      [],
    );
  });

  test('Redis down: the Redis-backed admin routes answer 503 naming Redis', async () => {
    const { logger, lines } = capturingLogger('info');
    const downRedis = createRedis(CLOSED_REDIS, 'command', logger);
    try {
      const app = appOver(database.db, { redis: downRedis, queues: new TaskQueues(downRedis, redis.prefix) }, logger);
      for (const method of ['GET', 'DELETE']) {
        const response = await app.request('/v1/admin/paused-tasks', { method, headers: AUTH });
        assert.equal(response.status, 503, method);
        assert.deepEqual(await response.json(), { error: 'unavailable', detail: 'Redis did not answer; try again shortly' }, method);
      }
      assert.deepEqual(
        lines.filter((l) => (l.level as number) >= 50),
        [],
      );
    } finally {
      await closeRedis(downRedis);
    }
  });
});

describe('a client that aborts its own request', () => {
  test('a chunked body cut off in the body limit: counted as 499, not 500, and not logged as an error', async () => {
    const { logger, lines } = capturingLogger('info');
    const config = testConfig({ EVALPOOL_QUEUE_PREFIX: redis.prefix, EVALPOOL_ADMIN_TOKEN: ADMIN_TOKEN });
    const metrics = createMetrics(new Registry(), { processMetrics: false });
    const redisProbe = new Redis(config.storage.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    const server = await startHttpServer(createApp({ config, db: database.db, redisProbe, logger, metrics }), '127.0.0.1', 0);
    try {
      const socket = connect(server.port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
      // With `Expect: 100-continue` Node answers "100 Continue" as it hands the request to the app:
      // from then on the body limit is reading the body, and the client goes away mid-body.
      socket.write(
        `POST /v1/admin/rotations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n`,
      );
      await waitFor('100 Continue', () => received.startsWith('HTTP/1.1 100'));
      socket.write('5\r\n{"env\r\n');
      socket.destroy();
      const posted = async () => {
        const text = await (await fetch(`${server.url}/metrics`)).text();
        return samplesOf(parsePrometheusText(text), 'evalpool_http_requests_total').filter((s) => s.labels.method === 'POST');
      };
      const samples = await waitFor('the aborted request counted', async () => {
        const found = await posted();
        return found.length > 0 ? found : undefined;
      });
      assert.deepEqual(
        samples.map((s) => s.labels.status),
        ['499'],
      );
      assert.deepEqual(
        lines.filter((l) => (l.level as number) >= 50),
        [],
      );
    } finally {
      await server.stop();
      redisProbe.disconnect();
    }
  });
});
