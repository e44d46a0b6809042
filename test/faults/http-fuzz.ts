import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { createApp } from '../../src/api/app.ts';
import type { Config } from '../../src/config/schema.ts';
import type { Database } from '../../src/db/schema.ts';
import { createMetrics, Registry } from '../../src/runtime/metrics.ts';
import { privatePostgresUnavailable } from '../helpers/private-postgres.ts';
import { testConfig } from '../helpers/test-config.ts';
import { testLogger } from '../helpers/test-logger.ts';
import { assertBooks } from './fault-system.ts';
import { type RawRequest, rawRequest } from './http-request.ts';
import { Answers, documented5xx, restoreMiners } from './live-scenarios.ts';
import { LIVE_ADMIN_TOKEN, LIVE_ENV, useLiveSystem } from './live-system.ts';

/** A route of the app: method (ALL for any) and Hono path pattern. */
export interface Route {
  readonly method: string;
  readonly path: string;
}

/**
 * Every route `serve`'s app registers, read from the app itself (admin API and metrics included),
 * so that a new route is fuzzed without anyone listing it here. Middleware (`/*`) is left out.
 */
export function registeredRoutes(db: Kysely<Database>, config: Config): Route[] {
  const redisProbe = new Redis(config.storage.redisUrl, { lazyConnect: true });
  try {
    const app = createApp({
      config,
      db,
      redisProbe,
      logger: testLogger(),
      metrics: createMetrics(new Registry(), { processMetrics: false }),
    });
    const seen = new Map<string, Route>();
    for (const r of app.routes) if (r.path !== '/*') seen.set(`${r.method} ${r.path}`, { method: r.method, path: r.path });
    return [...seen.values()];
  } finally {
    redisProbe.disconnect();
  }
}

/** How long one fuzzed request may take before it counts as a hang (a loaded machine's room included). */
const REQUEST_BOUND_MS = 60_000;
/** Requests sent at once. */
const CONCURRENCY = 6;

const text = fc.oneof(
  fc.string({ maxLength: 24 }),
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.constantFrom(
    '',
    'latest',
    '0',
    '-1',
    '1e309',
    'NaN',
    '00000000000000000000001',
    '9'.repeat(40),
    '..',
    '%',
    '%zz',
    '%00',
    '\u0000',
    'null',
    'true',
    '[]',
    '{}',
    'é',
    '🦀',
  ),
);

/**
 * Fuzzed requests: a registered route with its parameters filled (real hotkeys and env ids among
 * random values) or a random path; a random method; a random query string; a body that is absent,
 * plausible JSON, invalid JSON, huge JSON (above the body limit), deeply nested JSON or binary;
 * random headers (content types, right/wrong/garbage bearer tokens and cookies, forwarded-for, encodings).
 */
export function requests(routes: readonly Route[], realValues: readonly string[]): fc.Arbitrary<RawRequest> {
  const value = fc.oneof(text, fc.constantFrom(...realValues));
  const fill = (pattern: string): fc.Arbitrary<string> => {
    const parts = pattern.split('/');
    return fc
      .tuple(
        ...parts.map((p) =>
          p.startsWith(':')
            ? value.map(encodeURIComponent)
            : p === '*'
              ? fc.oneof(
                  text.map(encodeURIComponent),
                  fc.constantFrom('api/queues', `api/queues/${encodeURIComponent(LIVE_ENV)}`, 'static/x.js', ''),
                )
              : fc.constant(p),
        ),
      )
      .map((filled) => filled.join('/'));
  };
  const path = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...routes).chain((r) => fill(r.path)) },
    {
      weight: 1,
      arbitrary: fc.array(text.map(encodeURIComponent), { minLength: 1, maxLength: 4 }).map((segments) => `/${segments.join('/')}`),
    },
  );
  const query = fc
    .dictionary(
      fc.oneof(fc.constantFrom('hotkey', 'env', 'limit', 'dry_run', 'older_than_seconds', 'uid', 'block', 'window', 'format'), text),
      value,
      { maxKeys: 4 },
    )
    .map((q) => {
      const search = new URLSearchParams(q).toString();
      return search === '' ? '' : `?${search}`;
    });
  const json = fc.oneof(
    fc.json({ maxDepth: 3 }),
    fc
      .record({ pinned: fc.oneof(fc.integer({ min: -5, max: 20_000 }), fc.constant(null), fc.double(), text) }, { requiredKeys: [] })
      .map((o) => JSON.stringify(o)),
    fc.record({ env: fc.oneof(value, fc.constant(LIVE_ENV)) }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
    fc
      .record({ token: fc.oneof(text, fc.constant(LIVE_ADMIN_TOKEN)), return_to: text }, { requiredKeys: [] })
      .map((o) => JSON.stringify(o)),
  );
  const body = fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: json },
    {
      weight: 1,
      arbitrary: fc.constantFrom('{', '{"pinned":', '[1,2', 'null', '"x"', '\u0000\u0001', '{"pinned": 1e999}', '{"__proto__": {"x": 1}}'),
    },
    { weight: 1, arbitrary: fc.constantFrom(100_000, 2_000_000).map((n) => JSON.stringify({ pinned: 1, pad: 'x'.repeat(n) })) },
    { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 20_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 256 }).map((bytes) => Buffer.from(bytes)) },
  );
  const headers = fc.record(
    {
      'content-type': fc.constantFrom(
        'application/json',
        'application/json; charset=utf-16',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'text/plain',
        '',
        ';;;',
      ),
      authorization: fc.oneof(
        fc.constant(`Bearer ${LIVE_ADMIN_TOKEN}`),
        fc.constant('Bearer wrong-token-000000000000'),
        fc.constant(`Bearer ${'x'.repeat(8_000)}`),
        fc.constant('Basic Og=='),
        text.map((t) => `Bearer ${encodeURIComponent(t)}`),
      ),
      cookie: fc.oneof(
        fc.constant('evalpool_admin=1.x'),
        fc.constant(`evalpool_admin=${'9'.repeat(30)}.AAAA`),
        text.map((t) => `evalpool_admin=${encodeURIComponent(t)}`),
      ),
      'x-forwarded-for': fc.oneof(fc.constant('1.2.3.4, ::1'), fc.constant('not-an-ip'), text.map(encodeURIComponent)),
      accept: fc.constantFrom('*/*', 'text/html', 'application/json', 'text/event-stream'),
      'content-encoding': fc.constantFrom('gzip', 'br', 'identity'),
      'accept-encoding': fc.constantFrom('gzip', 'br, deflate', 'identity;q=0'),
      'x-episode-id': text.map(encodeURIComponent),
      range: fc.constantFrom('bytes=0-10', 'bytes=-1', 'bytes=9999999999-'),
    },
    { requiredKeys: [] },
  );
  return fc
    .record({
      method: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE') },
        { weight: 1, arbitrary: fc.constantFrom('PATCH', 'HEAD', 'OPTIONS', 'PROPFIND', 'TRACE', 'X-FUZZ') },
      ),
      path,
      query,
      body,
      headers,
    })
    .map((r) => ({
      method: r.method,
      path: `${r.path}${r.query}`,
      headers: r.headers,
      ...(r.body !== undefined && r.method !== 'GET' && r.method !== 'HEAD' ? { body: r.body } : {}),
    }));
}

/**
 * Fuzzed HTTP on every registered route of both `serve`s of a live system mid-run: no answer is a
 * 5xx (the documented 503 of a slow admin action aside), none hangs (each request is bounded), the
 * service logs no unhandled error and both serves are healthy after; then the books hold.
 */
export function httpFuzzScenario(
  name: string,
  options: { readonly listSize: number; readonly runs: number; readonly seed?: number },
): void {
  describe(`fuzzed HTTP: ${name}`, { skip: privatePostgresUnavailable() }, () => {
    const live = useLiveSystem({ listSize: options.listSize });

    test(`${options.runs} fuzzed requests on every route: no 5xx, no hang, healthy after, the books hold`, async (t) => {
      const routes = registeredRoutes(live.fault.db, testConfig({ EVALPOOL_ADMIN_TOKEN: LIVE_ADMIN_TOKEN }));
      assert.ok(
        routes.some((r) => r.path.startsWith('/v1/admin/')) && routes.some((r) => r.path === '/metrics'),
        `the admin API and /metrics are among the routes: ${JSON.stringify(routes)}`,
      );
      await live.startAll();
      const sampler = live.fault.startSlotSampler();
      const seed = options.seed ?? Date.now() % 2 ** 31;
      const sample = fc.sample(requests(routes, [...live.entries.map((e) => e.hotkey), LIVE_ENV, '0', '1']), {
        numRuns: options.runs,
        seed,
      });
      const bases = [...live.serves.keys()].map((label) => live.url(label));
      const answers = new Answers();
      let next = 0;
      const senders = Array.from({ length: CONCURRENCY }, async () => {
        while (next < sample.length) {
          const i = next++;
          const request = sample[i]!;
          const answer = await rawRequest(bases[i % bases.length]!, request, REQUEST_BOUND_MS);
          const size = request.body === undefined ? 0 : Buffer.byteLength(request.body);
          const label = `#${i} ${request.method} ${request.path} headers ${JSON.stringify(request.headers)} body ${size} bytes: ${String(request.body ?? '').slice(0, 120)}`;
          // A connection error is allowed only where nothing was sent (node refused the header) or
          // where the service answered a body over its limit before reading it all (then it closes).
          answers.add(label, answer, (r) =>
            typeof r.status === 'number'
              ? r.status < 500 || (request.path.startsWith('/v1/admin/') && documented5xx(r))
              : r.status === 'error' && (r.body.startsWith('not sent') || size > live.fault.config.server.bodyLimitBytes),
          );
        }
      });
      await Promise.all(senders);
      for (const base of bases) {
        const health = await rawRequest(base, { method: 'GET', path: '/health' }, REQUEST_BOUND_MS);
        assert.equal(health.status, 200, `healthy after the fuzz: ${health.body}`);
      }
      const unhandled = [...live.serves.values()].flatMap((p) => p.logs().filter((l) => Number(l.level) >= 50));
      await restoreMiners(live);
      await live.waitRecovered({ weights: true });
      const slots = await sampler.stop();
      await assertBooks(
        t,
        live.fault,
        {
          scenario: `fuzzed HTTP (${name})`,
          injected: `${options.runs} fuzzed requests (seed ${seed}), ${CONCURRENCY} at a time, on ${routes.length} registered routes of both serves (random methods, path params, queries, headers, invalid/huge/nested JSON and binary bodies)`,
          extra: `answers ${answers.summary()}; ${unhandled.length} errors logged`,
        },
        await live.wanted(),
        { slots },
      );
      assert.deepEqual(answers.failures, [], `no 5xx, no hang (seed ${seed})`);
      assert.deepEqual(
        unhandled.map((l) => `${String(l.msg)} ${JSON.stringify(l.err ?? l.path ?? '')}`),
        [],
        'no error logged by a serve',
      );
      await live.stopAll();
    });
  });
}
