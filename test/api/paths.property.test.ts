import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { Hono } from 'hono';
import { computeAndPublishWeights } from '../../src/scheduler/weights-task.ts';
import { range, seedList, seedMiner, seedResults } from '../helpers/seed.ts';
import { testApp } from '../helpers/test-app.ts';
import { testConfig } from '../helpers/test-config.ts';
import { useTestDatabase } from '../helpers/test-database.ts';
import { capturingLogger, testLogger } from '../helpers/test-logger.ts';

const database = useTestDatabase();
const PREFIXES = ['/v1/weights/', '/v1/scores/', '/v1/miners/', '/v1/', '/'];

/** A path segment: arbitrary text (encoded), raw URL-ish characters, or number-like strings. */
const segment = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }).map(encodeURIComponent),
  fc.stringMatching(/^[-+.0-9a-zA-Z%_~!$&'()*,;=:@/]{0,40}$/),
  fc.oneof(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.double()).map(String),
  fc.constantFrom('latest', '%', '%zz', '%00', '..', '.', '', '1e309', 'NaN', 'Infinity', '0x1', '00000000000000000001'),
);

describe('arbitrary request paths', () => {
  let app: Hono;
  const { logger, lines } = capturingLogger('error');
  before(async () => {
    await seedList(database.db, 'a', range(0, 4));
    await seedMiner(database.db, { uid: 1 });
    await seedResults(database.db, { uid: 1 }, 'a', range(0, 4), () => 1);
    await computeAndPublishWeights({ db: database.db, config: testConfig(), logger: testLogger(), block: () => Promise.resolve(10) });
    app = testApp(database.db, { logger });
  });

  test('never answer 5xx, and always answer JSON (but the dashboard)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PREFIXES), segment, fc.option(segment, { nil: undefined }), async (prefix, a, b) => {
        const path = prefix + a + (b === undefined ? '' : `/${b}`);
        let url: URL;
        try {
          url = new URL(path, 'http://localhost');
        } catch {
          return; // not a request a client could send
        }
        // "//x@y" parses as another host (with credentials): a URL, not a path of this server.
        if (url.host !== 'localhost') return;
        if (url.pathname === '/health') return; // the one route that would open a Redis connection
        const response = await app.request(url.href);
        assert.ok(response.status < 500, `${path} answered ${response.status}`);
        // The dashboard's page and assets are the HTML/JS/CSS exceptions (their misses are JSON 404s).
        if (response.status === 200 && (url.pathname === '/' || url.pathname.startsWith('/dashboard/'))) return;
        const body = (await response.json()) as Record<string, unknown>;
        if (response.status >= 400) {
          assert.equal(typeof body.error, 'string', path);
          assert.equal(typeof body.detail, 'string', path);
        }
      }),
      { numRuns: 400 },
    );
    assert.deepEqual(lines, [], 'no route logged an unhandled error');
  });
});
