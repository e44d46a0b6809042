import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { Hono } from 'hono';
import type { AdminDeps } from '../../../src/api/admin/admin-deps.ts';
import { seedActiveMiners, seedSlots } from '../../helpers/seed.ts';
import { useTestDatabase } from '../../helpers/test-database.ts';
import { capturingLogger } from '../../helpers/test-logger.ts';
import { useTestRedis } from '../../helpers/test-redis.ts';
import { poolConfig, putList } from '../../pool/pool-fixture.ts';
import { ADMIN_TOKEN, adminApp } from './admin-fixture.ts';

const database = useTestDatabase();
const redisHandle = useTestRedis();

const text = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('', 'env-a', 'hk1', 'null', 'true', '-1', '1e309', '0x10', '%', '%zz', '..', '/', 'a/b', ' '),
);
const value: fc.Arbitrary<unknown> = fc.oneof(
  text,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(text, fc.integer(), { maxKeys: 2 }),
);
const path = fc.oneof(
  fc.constantFrom(
    '/v1/admin/paused-tasks',
    '/v1/admin/rotations',
    '/v1/admin/session',
    '/v1/admin',
    '/v1/admin/',
    '/admin/queues',
    '/admin/queues/api/queues',
  ),
  fc
    .tuple(fc.oneof(text, fc.constant('hk1')), fc.constantFrom('slots', 'pause', 'resume', 'x', ''))
    .map(([hk, verb]) => `/v1/admin/miners/${encodeURIComponent(hk)}/${verb}`),
  text.map((t) => `/v1/admin/${encodeURIComponent(t)}`),
);
const query = fc.dictionary(fc.constantFrom('hotkey', 'env', 'older_than_seconds', 'limit', 'dry_run', 'miner', 'x'), text, { maxKeys: 3 });
const body = fc.oneof(
  fc.constant(undefined),
  fc.dictionary(fc.constantFrom('env', 'pinned', 'token', 'return_to', 'other'), value, { maxKeys: 3 }).map((o) => JSON.stringify(o)),
  value.map((v) => JSON.stringify(v) ?? 'undefined'),
  text,
);
const request = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'),
  path,
  query,
  body,
  contentType: fc.constantFrom(
    undefined,
    'application/json',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'text/plain',
  ),
  auth: fc.constantFrom('right', 'right', 'right', 'none', 'wrong'),
});

describe('arbitrary admin requests', () => {
  let app: Hono;
  let deps: AdminDeps;
  const { logger, lines } = capturingLogger('error');

  before(async () => {
    await putList(database.db, { env_id: 'env-a', task_ids: [1, 2, 3] });
    await seedActiveMiners(database.db, [{ uid: 1, hotkey: 'hk1', revision: 'r1' }]);
    await seedSlots(database.db, 'hk1', 4);
    ({ app, deps } = adminApp(
      database.db,
      redisHandle,
      poolConfig(redisHandle.prefix, { EVALPOOL_ADMIN_TOKEN: ADMIN_TOKEN, EVALPOOL_RATE_LIMIT_PER_MINUTE: '0' }),
      { logger },
    ));
  });
  after(() => deps.queues.close());

  test('never answer 5xx, and answer JSON errors', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const url = new URL(r.path, 'http://localhost');
        for (const [k, v] of Object.entries(r.query)) url.searchParams.append(k, v);
        const headers: Record<string, string> = {};
        if (r.auth !== 'none') headers.authorization = `Bearer ${r.auth === 'right' ? ADMIN_TOKEN : 'wrong-token-0000000000'}`;
        if (r.contentType) headers['content-type'] = r.contentType;
        const withBody = r.body !== undefined && r.method !== 'GET' && r.method !== 'HEAD';
        const response = await app.request(url.href, { method: r.method, headers, ...(withBody ? { body: r.body } : {}) });
        const label = `${r.method} ${url.pathname}${url.search} ${withBody ? r.body : ''}`;
        if (response.status >= 500) assert.fail(`${label} answered ${response.status}: ${await response.text()}`);
        const type = response.headers.get('content-type') ?? '';
        if (response.status >= 400 && r.method !== 'HEAD' && !type.startsWith('text/html')) {
          const json = (await response.json()) as { error?: unknown; detail?: unknown };
          assert.equal(typeof json.error, 'string', label);
          assert.equal(typeof json.detail, 'string', label);
        } else {
          await response.body?.cancel();
        }
      }),
      { numRuns: 600 },
    );
    assert.deepEqual(lines, [], 'no unhandled error was logged');
  });
});
